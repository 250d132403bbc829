// Safeline console: live updates over server-sent events, chat without reloads.
// Texter text is only ever put into the page with textContent (never innerHTML); fragments
// fetched with innerHTML are rendered and escaped by the server and hold no texter text.
(function () {
  "use strict";

  var body = document.body;
  var csrf = body.dataset.csrf || "";
  var page = body.dataset.page;
  if (!csrf) return; // signed out (login page)

  function post(url, form) {
    return fetch(url, {
      method: "POST",
      body: form || new FormData(),
      credentials: "same-origin",
      headers: {
        "X-CSRF-Token": csrf,
        "X-Requested-With": "fetch",
        "Accept": "application/json"
      }
    });
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function throttle(fn, ms) {
    var last = 0;
    return function () {
      var now = Date.now();
      if (now - last >= ms) {
        last = now;
        fn();
      }
    };
  }

  // --- live events -----------------------------------------------------------------------
  var handlers = [];
  var liveLabel = document.getElementById("live");

  function setLive(text, ok) {
    if (!liveLabel) return;
    liveLabel.textContent = text;
    liveLabel.classList.toggle("down", !ok);
  }

  function connect() {
    if (!window.EventSource) {
      setLive("No live updates in this browser", false);
      return;
    }
    var source = new EventSource("/console/events");
    function dispatch(event) {
      var data = {};
      try { data = JSON.parse(event.data || "{}"); } catch (e) { data = {}; }
      data.type = event.type === "ready" ? "resync" : (data.type || event.type);
      handlers.forEach(function (handler) { handler(data); });
    }
    source.addEventListener("ready", function (event) {
      setLive("Live", true);
      dispatch(event);
    });
    ["conversation", "message", "resync"].forEach(function (kind) {
      source.addEventListener(kind, dispatch);
    });
    source.addEventListener("signed_out", function () {
      source.close();
      window.location.href = "/console/login";
    });
    source.onerror = function () {
      setLive("Reconnecting…", false);
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. the session ended): check, then start again.
        setTimeout(function () {
          fetch("/console/queue", { credentials: "same-origin" }).then(function (response) {
            if (response.status === 401 || response.redirected) {
              window.location.href = "/console/login";
            } else {
              connect();
            }
          }).catch(function () { setTimeout(connect, 5000); });
        }, 3000);
      }
    };
  }

  // --- queue and supervisor pages: refresh the server-rendered fragment ------------------
  function liveFragment(targetId, url) {
    var target = document.getElementById(targetId);
    if (!target) return;
    var refresh = debounce(function () {
      fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (response.status === 401) { window.location.href = "/console/login"; return null; }
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html === null || html === undefined) return;
        var focused = document.activeElement && document.activeElement.id;
        target.innerHTML = html; // server-rendered, autoescaped; no texter text inside
        if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
      }).catch(function () {});
    }, 250);
    handlers.push(function (event) {
      if (event.type !== "message") refresh();
    });
    setInterval(refresh, 30000); // waiting times move on
  }

  if (page === "queue") liveFragment("queue", "/console/queue");
  if (page === "supervisor") liveFragment("supervisor", "/console/supervisor/live");

  // --- one conversation ------------------------------------------------------------------
  if (page === "conversation") {
    var conversationId = body.dataset.conversation;
    var lastId = parseInt(body.dataset.lastId || "0", 10);
    var state = body.dataset.state;
    var mine = body.dataset.mine;
    var list = document.getElementById("messages");
    var textarea = document.getElementById("reply-text");
    var pulling = false;
    var again = false;
    var leaving = false; // a form is being submitted: never reload over it
    document.addEventListener("submit", function (event) {
      if (!event.defaultPrevented) leaving = true;
    });
    window.addEventListener("pagehide", function () { leaving = true; });

    function scrollToEnd() {
      var last = list && list.lastElementChild;
      if (last) last.scrollIntoView({ block: "end" });
    }

    function renderMessage(m) {
      var item = document.createElement("li");
      item.className = "msg " + m.direction + " " + m.kind;
      item.dataset.id = String(m.id);
      var meta = document.createElement("div");
      meta.className = "meta";
      var author = document.createElement("span");
      author.className = "author";
      author.textContent = m.author;
      var time = document.createElement("time");
      time.textContent = m.time;
      meta.appendChild(author);
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(time);
      if (m.direction === "out") {
        var status = document.createElement("span");
        status.className = "status";
        status.dataset.statusFor = String(m.id);
        status.textContent = m.status_label;
        meta.appendChild(document.createTextNode(" "));
        meta.appendChild(status);
      }
      var text = document.createElement("p");
      text.className = "text";
      text.dir = "auto";
      text.textContent = m.text; // always text, never markup
      item.appendChild(meta);
      item.appendChild(text);
      return item;
    }

    function changed(data) {
      var sameHolder = String(data.mine ? 1 : 0) === mine;
      if (leaving || (data.state === state && sameHolder)) return;
      if (!textarea || !textarea.value.trim()) {
        window.location.reload();
        return;
      }
      var note = document.getElementById("changed");
      if (note) note.hidden = false;
    }

    function pull() {
      if (pulling) { again = true; return; }
      pulling = true;
      fetch("/console/conversations/" + conversationId + "/live?after=" + lastId, {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (response.status === 401) { window.location.href = "/console/login"; return null; }
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (!data) return;
        var added = false;
        data.messages.forEach(function (m) {
          if (m.id > lastId) {
            list.appendChild(renderMessage(m));
            lastId = m.id;
            added = true;
          }
        });
        Object.keys(data.statuses).forEach(function (id) {
          var el = list.querySelector('[data-status-for="' + id + '"]');
          if (el) el.textContent = data.statuses[id];
        });
        if (added) scrollToEnd();
        changed(data);
      }).catch(function () {}).then(function () {
        pulling = false;
        if (again) { again = false; pull(); }
      });
    }

    handlers.push(function (event) {
      if (event.type === "resync" || String(event.conversation_id) === conversationId) pull();
    });
    scrollToEnd();

    var reload = document.getElementById("reload");
    if (reload) reload.addEventListener("click", function () { window.location.reload(); });

    // Activity keeps the assignment from timing out while the operator works on it.
    if (mine === "1" && state === "assigned") {
      var ping = throttle(function () {
        post("/console/conversations/" + conversationId + "/activity").catch(function () {});
      }, 30000);
      ["keydown", "pointerdown", "wheel", "focusin"].forEach(function (kind) {
        document.addEventListener(kind, ping, { passive: true });
      });
    }

    var compose = document.getElementById("compose");
    if (compose && textarea) {
      var count = document.getElementById("reply-count");
      var error = document.getElementById("reply-error");
      var sendButton = document.getElementById("send");
      var gsm = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\[~\]|€]*$/;
      var updateCount = function () {
        var text = textarea.value;
        var single = gsm.test(text) ? 160 : 70;
        var multi = gsm.test(text) ? 153 : 67;
        var parts = text.length <= single ? 1 : Math.ceil(text.length / multi);
        count.textContent = text.length + " characters, about " + parts + " SMS";
      };
      textarea.addEventListener("input", updateCount);
      textarea.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          compose.requestSubmit();
        }
      });
      compose.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!textarea.value.trim()) return;
        sendButton.disabled = true;
        error.textContent = "";
        post(compose.action, new FormData(compose)).then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        }).then(function (result) {
          if (result.ok) {
            textarea.value = "";
            updateCount();
            pull();
          } else {
            error.textContent = result.data.error || "Not sent.";
          }
        }).catch(function () {
          error.textContent = "Not sent: the connection failed. Try again.";
        }).then(function () {
          sendButton.disabled = false;
          textarea.focus();
        });
      });
      Array.prototype.forEach.call(document.querySelectorAll(".canned-reply"), function (button) {
        button.addEventListener("click", function () {
          textarea.value = button.dataset.text;
          updateCount();
          textarea.focus();
        });
      });
    }

    var revealForm = document.getElementById("reveal-form");
    if (revealForm) {
      revealForm.addEventListener("submit", function (event) {
        event.preventDefault();
        post(revealForm.action).then(function (response) {
          return response.ok ? response.json() : null;
        }).then(function (data) {
          if (!data) return;
          document.getElementById("number").textContent = data.number;
          revealForm.hidden = true;
        }).catch(function () {});
      });
    }
  }

  connect();
})();
