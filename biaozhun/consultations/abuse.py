"""Anti-abuse without outside services: rate limits counted in the database, and a signed
arithmetic challenge for guests (no JavaScript, readable by screen readers).

Rate limits count recent submissions per client address and per account from the rows
themselves, so every web process sees the same numbers without Redis. An XLSX import is one
submission (its comments share one `submitted_at`).

A challenge token carries a keyed hash of the answer and a nonce, signed with a timestamp;
each nonce is accepted once: it is remembered for the token's validity in the "challenges"
cache (Redis with CACHE_URL, else a file cache under var/ shared by the processes of the
machine, whose add() is atomic), not in the per-process memory cache.
"""

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import get_language, gettext

CHALLENGE_SALT = "consultations.challenge"
_WINDOWS = {"minute": 60, "hour": 3600, "day": 86400}
_NUMERALS = "零一二三四五六七八九十"
# The question is asked in the interface language; Chinese interfaces spell numbers in
# Chinese numerals, English ones in words (harder for a naive script than digits).
_ENGLISH_NUMERALS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                     "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
                     "sixteen", "seventeen", "eighteen", "nineteen", "twenty")


class RateLimited(Exception):
    """Too many submissions from one address or account; views answer 429."""

    def __init__(self, retry_after_seconds: int):
        self.retry_after_seconds = max(int(retry_after_seconds), 1)
        minutes = -(-self.retry_after_seconds // 60)
        super().__init__(gettext("提交过于频繁，请 %(minutes)s 分钟后再试。")
                         % {"minutes": minutes})


def _sources(kind: str):
    from biaozhun.consultations.models import Comment, PublicProposal

    sources = {"comment": (Comment, "submitted_at"),
               "proposal": (PublicProposal, "created_at")}
    if kind not in sources:
        raise ValueError(f"unknown rate-limit kind {kind!r}")
    return sources[kind]


def check_rate(*, kind: str, client_ip, user) -> None:
    """Raise RateLimited when one more `kind` submission ("comment" or "proposal") from
    `client_ip` or `user` would pass a limit of CONSULTATION_RATE_LIMITS[kind]."""
    model, time_field = _sources(kind)
    limits = settings.CONSULTATION_RATE_LIMITS.get(kind, {})
    now = timezone.now()
    signed_in = user is not None and user.is_authenticated
    retry = 0
    for key, limit in limits.items():
        _, scope, window = key.split("_", 2)
        if scope == "ip" and client_ip:
            where = {"client_ip": client_ip}
        elif scope == "user" and signed_in:
            where = {"author": user}
        else:
            continue
        seconds = _WINDOWS[window]
        since = now - timedelta(seconds=seconds)
        # The limit-th most recent submission in the window decides when one more is allowed.
        times = list(model.objects.filter(**where, **{f"{time_field}__gt": since})
                     .order_by(f"-{time_field}").values_list(time_field, flat=True)
                     .distinct()[:limit])
        if len(times) >= limit:
            wait = (times[limit - 1] + timedelta(seconds=seconds) - now).total_seconds()
            retry = max(retry, int(wait) + 1)
    if retry:
        raise RateLimited(retry)


# --- challenge ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def _answer_hash(nonce: str, answer: int) -> str:
    # Keyed, so the token (readable, only signed) does not give the answer away.
    return salted_hmac(CHALLENGE_SALT, f"{nonce}:{answer}").hexdigest()


def _chinese_numeral(n: int) -> str:
    return _NUMERALS[n] if n <= 10 else "十" + _NUMERALS[n - 10]


def _numeral(n: int) -> str:
    if (get_language() or "").startswith("en"):
        return _ENGLISH_NUMERALS[n]
    return _chinese_numeral(n)


def new_challenge() -> Challenge:
    """A simple sum or difference of two numbers below ten, in the active language."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    if secrets.randbelow(2):
        question = gettext("%(a)s加%(b)s等于几？（请填阿拉伯数字）")
        answer = a + b
    else:
        a, b = max(a, b), min(a, b)
        question = gettext("%(a)s减%(b)s等于几？（请填阿拉伯数字）")
        answer = a - b
    question %= {"a": _numeral(a), "b": _numeral(b)}
    nonce = secrets.token_urlsafe(12)
    token = signing.TimestampSigner(salt=CHALLENGE_SALT).sign_object(
        {"h": _answer_hash(nonce, answer), "n": nonce})
    return Challenge(question=question, token=token)


def _spelled() -> dict[str, int]:
    spelled = {_chinese_numeral(n): n for n in range(20)}
    spelled["二十"] = 20
    spelled.update({word: n for n, word in enumerate(_ENGLISH_NUMERALS)})
    return spelled


_SPELLED = _spelled()


def _parse_answer(answer) -> int | None:
    """Digits (half or full width), or the number spelled in Chinese or English."""
    text = unicodedata.normalize("NFKC", str(answer if answer is not None else "")).strip()
    if text.isdigit() and len(text) <= 3:
        return int(text)
    return _SPELLED.get(text.lower())


def _refuse(message: str):
    raise ValidationError({"challenge": message}, code="challenge")


def check_challenge(token, answer) -> None:
    """Accept a right answer to a fresh, unused challenge; ValidationError({"challenge"})
    otherwise. Every attempt uses the challenge up, so answers cannot be tried in turn."""
    if not token:
        _refuse(gettext("请回答验证问题。"))
    minutes = settings.CONSULTATION_CHALLENGE_MINUTES
    try:
        data = signing.TimestampSigner(salt=CHALLENGE_SALT).unsign_object(
            token, max_age=timedelta(minutes=minutes))
    except signing.SignatureExpired:
        _refuse(gettext("验证问题已过期，请回答新的问题。"))
    except (signing.BadSignature, ValueError, TypeError):
        _refuse(gettext("验证问题无效，请回答新的问题。"))
    if not isinstance(data, dict) or not {"h", "n"} <= set(data):
        _refuse(gettext("验证问题无效，请回答新的问题。"))
    if not caches["challenges"].add(f"consultations:challenge:{data['n']}", 1,
                                    timeout=minutes * 60 + 60):
        _refuse(gettext("验证问题已使用过，请回答新的问题。"))
    value = _parse_answer(answer)
    if value is None or not constant_time_compare(_answer_hash(data["n"], value), data["h"]):
        _refuse(gettext("验证问题回答错误，请回答新的问题。"))
