// Safeline phone simulator. Every text is set with textContent, never parsed as HTML: message
// bodies come from strangers, and dir="auto" lets right-to-left scripts read correctly.
"use strict";
(() => {
  const POLL_MS = 700;
  const SAMPLE_PHOTO = "https://demo.twilio.com/owl.png";
  const phoneInput = document.getElementById("phone");
  const whatsapp = document.getElementById("whatsapp");
  const photo = document.getElementById("photo");
  const thread = document.getElementById("thread");
  const form = document.getElementById("compose");
  const body = document.getElementById("body");
  const status = document.getElementById("status");

  const fromQuery = new URLSearchParams(location.search).get("phone");
  if (fromQuery) phoneInput.value = fromQuery;
  let shown = "";
  let pollTimer = null;

  const phone = () => phoneInput.value.trim();

  function bubble(message) {
    const item = document.createElement("li");
    item.className = "bubble " + (message.from === "texter" ? "texter" : "hotline");
    const text = document.createElement("p");
    text.dir = "auto";
    text.textContent = message.body;
    const meta = document.createElement("small");
    const who = message.from === "texter" ? "You" : "Hotline";
    const time = new Date(message.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const parts = [who, time, message.status];
    if (message.channel === "whatsapp") parts.push("WhatsApp");
    if (message.media) parts.push(message.media + " photo(s)");
    meta.textContent = parts.join(" · ");
    item.append(text, meta);
    return item;
  }

  function render(messages) {
    const key = JSON.stringify(messages.map((m) => [m.id, m.status]));
    if (key === shown) return;
    shown = key;
    const atBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40;
    if (messages.length === 0) {
      const empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = "No messages yet. Say hello.";
      thread.replaceChildren(empty);
    } else {
      thread.replaceChildren(...messages.map(bubble));
    }
    if (atBottom) thread.scrollTop = thread.scrollHeight;
  }

  async function poll() {
    clearTimeout(pollTimer);
    try {
      const response = await fetch("/simulator/thread?phone=" + encodeURIComponent(phone()));
      if (response.ok) {
        render((await response.json()).messages);
      } else if (response.status === 400) {
        status.textContent = "Enter the texter's number in international form, like +15555550100.";
      }
    } catch (error) {
      status.textContent = "The hotline service is not answering.";
    } finally {
      pollTimer = setTimeout(poll, POLL_MS);
    }
  }

  async function send(event) {
    event.preventDefault();
    const text = body.value;
    const media = photo.checked ? [SAMPLE_PHOTO] : [];
    if (!text.trim() && media.length === 0) return;
    status.textContent = "";
    try {
      const response = await fetch("/simulator/send", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ phone: phone(), body: text, media, whatsapp: whatsapp.checked }),
      });
      const result = await response.json().catch(() => ({}));
      if (!response.ok) {
        status.textContent = result.error || ("Not delivered: webhook answered " + result.webhook_status);
      } else {
        body.value = "";
        photo.checked = false;
      }
    } catch (error) {
      status.textContent = "The hotline service is not answering.";
    }
    thread.scrollTop = thread.scrollHeight;
    poll();
  }

  form.addEventListener("submit", send);
  body.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  phoneInput.addEventListener("change", () => {
    shown = "";
    status.textContent = "";
    poll();
  });
  poll();
  body.focus();
})();
