"""SMS latency through the whole path, against Rasa alone, in one run on this machine.

Starts the real system (Rasa, action server, hotline service on SQLite, a local Twilio-compatible
server), sends N signed webhooks at a fixed rate, and prints p50/p95/p99 of
  (a) webhook acknowledgement time,
  (b) time until the reply reaches the Twilio API,
  (c) the same messages sent straight to Rasa's REST webhook (the baseline),
and the gateway overhead (b)/(c). Then, per language, (b) for first messages written in that
language (tests/languages/conversations/<code>.yml: detected, answered in the language) against
English in the same run.

    .venv/bin/python bench/sms_latency.py --messages 200 --rate 20 --per-language 40
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.e2e.stack import ACCOUNT_SID, AUTH_TOKEN, HOTLINE_NUMBER, Stack  # noqa: E402

TEXTS = ["hello", "hi there", "i need help with my job", "is this safe", "good morning"]
CONVERSATIONS = Path(__file__).resolve().parent.parent / "tests" / "languages" / "conversations"


def language_texts(code: str) -> list[str]:
    """First messages in the language (the conversation tests' texts)."""
    import yaml

    texts = yaml.safe_load((CONVERSATIONS / f"{code}.yml").read_text(encoding="utf-8"))
    return [value for value in texts.values() if isinstance(value, str)]


def percentiles(values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {cuts[49]:7.1f}  p95 {cuts[94]:7.1f}  p99 {cuts[98]:7.1f} ms"


async def paced(count: int, rate: float, one) -> list:
    """Start `one(i)` every 1/rate seconds (open loop), gather the results."""
    tasks = []
    start = time.perf_counter()
    for i in range(count):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    return await asyncio.gather(*tasks)


async def through_gateway(
    stack: Stack, count: int, rate: float, run: str, texts: list[str] = TEXTS
):
    url = f"{stack.hotline_url}/twilio/sms"
    validator = RequestValidator(AUTH_TOKEN)
    sent_at: dict[str, float] = {}
    acks: list[float] = []

    async with httpx.AsyncClient(timeout=30) as client:

        async def one(i: int) -> None:
            phone = f"+1555{run}{i:06d}"
            fields = {
                "MessageSid": "SM" + uuid.uuid4().hex,
                "AccountSid": ACCOUNT_SID,
                "From": phone,
                "To": HOTLINE_NUMBER,
                "Body": texts[i % len(texts)],
                "NumMedia": "0",
            }
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": validator.compute_signature(url, fields),
            }
            sent_at[phone] = time.time()
            began = time.perf_counter()
            response = await client.post(url, content=urlencode(fields), headers=headers)
            acks.append((time.perf_counter() - began) * 1000)
            response.raise_for_status()

        await paced(count, rate, one)
        replies: dict[str, float] = {}
        deadline = time.monotonic() + 120
        while len(replies) < count and time.monotonic() < deadline:
            for message in (await client.get(f"{stack.twilio_url}/_captured")).json():
                to = message["to"]
                if to in sent_at and to not in replies:
                    arrived = datetime.fromisoformat(message["created_at"]).timestamp()
                    replies[to] = (arrived - sent_at[to]) * 1000
            await asyncio.sleep(0.2)
    if len(replies) < count:
        raise SystemExit(f"only {len(replies)} of {count} replies arrived")
    return acks, list(replies.values())


async def straight_to_rasa(stack: Stack, count: int, rate: float, run: str) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(timeout=30) as client:

        async def one(i: int) -> None:
            began = time.perf_counter()
            response = await client.post(
                f"{stack.rasa_url}/webhooks/rest/webhook",
                json={
                    "sender": f"bench-{run}-{i}",
                    "message": TEXTS[i % len(TEXTS)],
                    "metadata": {"channel": "sms", "language": "en"},
                },
            )
            response.raise_for_status()
            latencies.append((time.perf_counter() - began) * 1000)

        await paced(count, rate, one)
    return latencies


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="messages per second")
    parser.add_argument(
        "--per-language", type=int, default=40, help="messages per language (0: skip)"
    )
    args = parser.parse_args()
    from bot.languages import supported_codes

    print("starting Rasa, the action server, the hotline and a local Twilio...", flush=True)
    with Stack.running() as stack:
        warmup = max(10, args.messages // 10)
        await straight_to_rasa(stack, warmup, args.rate, "w")
        await through_gateway(stack, warmup, args.rate, "91")
        # Alternate the two so that neither gets a warmer machine.
        baseline = await straight_to_rasa(stack, args.messages, args.rate, "a")
        acks, replies = await through_gateway(stack, args.messages, args.rate, "92")
        baseline += await straight_to_rasa(stack, args.messages, args.rate, "b")
        by_language = {}
        for number, code in enumerate(supported_codes() if args.per_language else ()):
            _, by_language[code] = await through_gateway(
                stack, args.per_language, args.rate / 2, f"{number + 10:02d}", language_texts(code)
            )

    print(f"\n{args.messages} messages at {args.rate:g} msg/s (new texters, first contact)")
    print(f"(a) webhook acknowledgement   {percentiles(acks)}")
    print(f"(b) webhook -> reply at Twilio {percentiles(replies)}")
    print(f"(c) straight to Rasa REST      {percentiles(baseline)}")
    ratio50 = statistics.median(replies) / statistics.median(baseline)
    cut = statistics.quantiles
    ratio95 = cut(replies, n=100)[94] / cut(baseline, n=100)[94]
    print(f"gateway overhead (b)/(c): p50 {ratio50:.2f}  p95 {ratio95:.2f}  (target <= 1.15)")
    if by_language:
        print(
            f"\n(b) per language, {args.per_language} first messages each at {args.rate / 2:g}"
            " msg/s, against English in this run"
        )
        english = statistics.median(by_language["en"])
        for code, values in by_language.items():
            ratio = statistics.median(values) / english
            print(f"{code:4} {percentiles(values)}   p50 vs en {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
