"""PM070 likely secrets (errors) and PM071 likely personal data (warnings).

Post-mortems quote logs, tickets and chat, and end up on a website. Every line
of the file (front matter included) is scanned, code blocks too: a pasted log
is exactly where a credential hides. Messages name the kind of value and its
column, never the value itself.

Secrets come from two sources:

- the regular-expression detectors of the ``detect-secrets`` library (AWS,
  GitHub, GitLab, Slack, Stripe, JWT, private keys, basic-auth URLs, …), used
  in-process through each detector's ``denylist`` and ``analyze_string``: no
  global settings, no baseline, no network verification. Not used: the
  high-entropy detectors (commit hashes and trace ids are everywhere in
  post-mortems), the keyword detector (replaced by the log-line rule below)
  and the Artifactory detector (its password shape matches ordinary
  upper-case identifiers);
- rules of our own for what those miss or what logs look like:
  ``password=…``/``token: …`` pairs, ``Bearer`` headers, AWS key ids, GitHub
  tokens (including fine-grained ``github_pat_``), Slack tokens and webhooks,
  JWTs and PEM private-key headers. Placeholders (``***``, ``<redacted>``,
  ``xxx``, ``$VAR``, ``${VAR}``, ``{{ var }}``) are not secrets.

Personal data, and what is deliberately not flagged:

- email addresses, except the reserved documentation domains (``example.com``,
  ``example.net``, ``example.org`` and their sub-domains; the ``.example``,
  ``.invalid``, ``.test`` and ``.localhost`` top-level domains) and role
  mailboxes that are no one's personal address (``noreply@``, ``support@``,
  ``security@``, ``git@`` …);
- phone numbers: ``+`` international forms with 8–15 digits, North-American
  ``(555) 123-4567`` / ``555-123-4567`` / ``555.123.4567``, and national
  forms with a leading trunk ``0`` and separators (``020 7946 0958``). Times,
  ISO dates, versions, durations and incident ids do not have these shapes.
  The fictional North-American range 555-0100…555-0199 is not flagged;
- IP addresses (IPv4 and IPv6) that are globally routable: a customer's
  address is personal data. Private (RFC 1918, ``fc00::/7``), loopback,
  link-local, shared (``100.64.0.0/10``), multicast, reserved and
  documentation ranges (``192.0.2.0/24``, ``198.51.100.0/24``,
  ``203.0.113.0/24``, ``2001:db8::/32``) are not flagged, nor the well-known
  public DNS resolvers (``1.1.1.1``, ``8.8.8.8`` …), which identify no one;
- payment card numbers: 13–19 digits (spaces or dashes allowed) starting with
  2–6 (the card networks' ranges) and passing the Luhn check.

A line waives its findings with ``<!-- privacy: ok, <reason> -->``; the reason
is required, and a waiver without one says so in the findings it fails to waive.
"""

from __future__ import annotations

import ipaddress
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.basic_auth import BasicAuthDetector
from detect_secrets.plugins.cloudant import CloudantDetector
from detect_secrets.plugins.discord import DiscordBotTokenDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
from detect_secrets.plugins.ibm_cloud_iam import IbmCloudIamDetector
from detect_secrets.plugins.ibm_cos_hmac import IbmCosHmacDetector
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.mailchimp import MailchimpDetector
from detect_secrets.plugins.npm import NpmDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.private_key import PrivateKeyDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.slack import SlackDetector
from detect_secrets.plugins.softlayer import SoftlayerDetector
from detect_secrets.plugins.square_oauth import SquareOAuthDetector
from detect_secrets.plugins.stripe import StripeDetector
from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
from detect_secrets.plugins.twilio import TwilioKeyDetector

from .model import Diagnostic, Level

__all__ = ["Finding", "check_privacy", "redact", "scan_line"]

CREDENTIAL = "PM070"
PERSONAL_DATA = "PM071"


@dataclass(frozen=True, slots=True)
class Finding:
    """One likely secret or personal datum in a line: 0-based span, code and kind (never the value)."""

    start: int
    end: int
    code: str
    kind: str


# -- detect-secrets ---------------------------------------------------------------------
# Stateless detector instances; only their regexes and ``analyze_string`` are used,
# because ``analyze_line`` consults detect-secrets' global settings and may verify
# a secret over the network.
_DETECTORS: tuple[RegexBasedDetector, ...] = (
    AWSKeyDetector(),
    AzureStorageKeyDetector(),
    BasicAuthDetector(),
    CloudantDetector(),
    DiscordBotTokenDetector(),
    GitHubTokenDetector(),
    GitLabTokenDetector(),
    IbmCloudIamDetector(),
    IbmCosHmacDetector(),
    JwtTokenDetector(),
    MailchimpDetector(),
    NpmDetector(),
    OpenAIDetector(),
    PrivateKeyDetector(),
    PypiTokenDetector(),
    SendGridDetector(),
    SlackDetector(),
    SoftlayerDetector(),
    SquareOAuthDetector(),
    StripeDetector(),
    TelegramBotTokenDetector(),
    TwilioKeyDetector(),
)
# Every detector above needs one of these in the line (a long token, credentials in a
# URL, a key header or keyword); most prose lines, and plain links, have none.
_CANDIDATE = re.compile(r"[A-Za-z0-9_+=-]{16,}|://[^\s/@]*@|BEGIN|PuTTY|AccountKey|(?i:aws)")


_REGEX_SYNTAX = frozenset("[](){}.*+?|^$\\")


def literal_prefix(pattern: re.Pattern[str]) -> str:
    """Text every match of ``pattern`` starts with, read off its source ("" if unsure).

    Only plain characters and backslash-escaped punctuation count; the prefix stops
    before any other syntax, and drops its last character when a quantifier follows
    it. Case-insensitive and verbose patterns have none.
    """
    source = pattern.pattern
    if pattern.flags & (re.IGNORECASE | re.VERBOSE) or _alternates_at_top(source):
        return ""
    prefix: list[str] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\" and index + 1 < len(source) and not source[index + 1].isalnum():
            literal, width = source[index + 1], 2
        elif char in _REGEX_SYNTAX:
            break
        else:
            literal, width = char, 1
        if source[index + width : index + width + 1] in ("?", "*", "{"):
            break  # the character may be absent (or repeated): the prefix ends before it
        prefix.append(literal)
        index += width
    return "".join(prefix)


def _alternates_at_top(source: str) -> bool:
    """``source`` has a ``|`` outside every group and character class."""
    depth = 0
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":  # skip the class; a "]" first (after an optional "^") is literal
            index += 2 if source[index + 1 : index + 2] == "^" else 1
            index += 1 if source[index : index + 1] == "]" else 0
            while index < len(source) and source[index] != "]":
                index += 2 if source[index] == "\\" else 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
        index += 1
    return False


# Each detector pattern with the text its matches start with: a pattern whose prefix is
# not in the line is not run (a substring test instead of a regex call, 45 times a line).
_DETECTOR_PATTERNS: tuple[tuple[RegexBasedDetector, re.Pattern[str], str], ...] = tuple(
    (detector, pattern, literal_prefix(pattern))
    for detector in _DETECTORS
    for pattern in detector.denylist
)


def _library_secrets(line: str) -> Iterator[Finding]:
    if not _CANDIDATE.search(line):
        return
    for detector, pattern, prefix in _DETECTOR_PATTERNS:
        if prefix not in line:
            continue
        for match in pattern.finditer(line):
            # analyze_string applies the detector's own checks (e.g. a JWT must decode)
            if any(True for _ in detector.analyze_string(match.group(0))):
                # point at the secret itself where the regex captures it (a URL's password)
                group = next((g for g in range(1, (match.lastindex or 0) + 1) if match.group(g)), 0)
                yield Finding(
                    match.start(group), match.end(group), CREDENTIAL, str(detector.secret_type)
                )


# -- our own secret rules -------------------------------------------------------------
_PLACEHOLDER_WORDS = frozenset(
    {
        "true", "false", "null", "nil", "none", "empty", "blank", "unset", "set", "yes", "no",
        "on", "off", "enabled", "disabled", "required", "optional", "redacted", "masked",
        "hidden", "removed", "omitted", "invalid", "expired", "missing", "rotated", "revoked",
        "valid", "ok", "undefined", "placeholder", "filtered", "sanitized", "scrubbed",
    }
)  # fmt: skip
_SECRET_KEY = re.compile(
    r"(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]*?"
    r"(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth|client[_-]?secret)"
    r"(?P<quote>[\"']?)\s*(?P<op>[:=])\s*[\"']?(?P<value>[^\s\"'`,;&|)\]}]+)",
    re.IGNORECASE,
)
_SLUG = re.compile(r"[a-z]+(?:[-_.][a-z0-9]+)*")


def _placeholder(value: str) -> bool:
    """``***``, ``<redacted>``, ``xxx``, ``$VAR``, ``${VAR}``, ``{{ var }}``, ``%s``, or a plain word."""
    lower = value.lower().strip(".")
    return (
        value[:1] in "<$%{[(*"
        or not re.search(r"[A-Za-z0-9]", value)
        or set(lower) <= set("x*#.-_")
        or lower in _PLACEHOLDER_WORDS
        or "redacted" in lower
        or value.startswith(("/", "~/"))  # PWD=/srv/app is a directory
    )


def _key_value(line: str) -> Iterator[Finding]:
    for match in _SECRET_KEY.finditer(line):
        value = match.group("value").rstrip(".:!?")  # sentence punctuation is not part of it
        if len(value) < 4 or _placeholder(value):
            continue
        prose = match.group("op") == ":" and not match.group("quote")
        if prose and not (
            len(value) >= 8
            and re.search(r"[A-Za-z]", value)
            and re.search(r"[0-9]", value)
            and not _SLUG.fullmatch(value)
        ):
            continue  # "Auth: enabled", "Secret: payments-db" name things; they are not secrets
        start = match.start("value")
        yield Finding(start, start + len(value), CREDENTIAL, "password or token in a log line")


_OWN_SECRETS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    (
        "AWS access key id",
        re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
    ),
    (
        "GitHub token",
        re.compile(
            r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})"
        ),
    ),
    (
        "Slack webhook",
        re.compile(
            r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9]+/[A-Za-z0-9_/-]+"
        ),
    ),
    ("Slack token", re.compile(r"(?<![A-Za-z0-9])xox[baprs]-[A-Za-z0-9-]{10,}")),
    (
        "JSON Web Token",
        re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ),
    (
        "bearer token",
        re.compile(r"(?i)(?<![A-Za-z])bearer\s+(?=[A-Za-z0-9._~+/-]*\d)[A-Za-z0-9._~+/-]{16,}=*"),
    ),
)


# Cheap pre-checks (substring tests, much faster than a case-insensitive regex):
# each rule above needs one of these in the line.
_OWN_MARKERS = ("PRIVATE KEY", "AKIA", "ASIA", "ABIA", "ACCA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_",
                "github_pat_", "slack", "xox", "eyJ")  # fmt: skip
_KEY_MARKERS = ("pass", "pwd", "secret", "token", "key", "auth")


def _has_own_marker(line: str) -> bool:
    return any(marker in line for marker in _OWN_MARKERS) or "bearer" in line.lower()


def _has_key_marker(line: str) -> bool:
    lower = line.lower()
    return any(marker in lower for marker in _KEY_MARKERS)


def _own_secrets(line: str) -> Iterator[Finding]:
    if _has_own_marker(line):
        for kind, pattern in _OWN_SECRETS:
            for match in pattern.finditer(line):
                yield Finding(match.start(), match.end(), CREDENTIAL, kind)
    if _has_key_marker(line):
        yield from _key_value(line)


# -- personal data ------------------------------------------------------------------
_EMAIL = re.compile(
    r"(?<![\w.+:/%-])(?P<local>[A-Za-z0-9._%+-]+)@"
    r"(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})(?![\w-])"
)
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
_RESERVED_TLDS = ("example", "invalid", "test", "localhost")
_ROLE_MAILBOXES = frozenset(
    {"noreply", "no-reply", "donotreply", "do-not-reply", "postmaster", "hostmaster",
     "webmaster", "abuse", "security", "support", "git"}
)  # fmt: skip


def _emails(line: str) -> Iterator[Finding]:
    for match in _EMAIL.finditer(line):
        domain = match.group("domain").lower()
        if domain.rsplit(".", 1)[-1] in _RESERVED_TLDS:
            continue
        if any(domain == d or domain.endswith("." + d) for d in _RESERVED_DOMAINS):
            continue
        if match.group("local").lower() in _ROLE_MAILBOXES:
            continue
        yield Finding(match.start(), match.end(), PERSONAL_DATA, "email address")


_PHONES = (
    re.compile(r"(?<![\w+])\+\d[\d ().-]{6,20}\d(?![\w])"),
    re.compile(r"(?<![\w+.-])(?:\(\d{3}\) ?\d{3}[ .-]|\d{3}-\d{3}-|\d{3}\.\d{3}\.)\d{4}(?![\w.-])"),
    re.compile(r"(?<![\w+.-])0\d{1,4}(?:[ -]\d{2,8}){1,3}(?![\w.-])"),
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _phones(line: str) -> Iterator[Finding]:
    for index, pattern in enumerate(_PHONES):
        for match in pattern.finditer(line):
            text = match.group(0)
            digits = re.sub(r"\D", "", text)
            if _ISO_DATE.search(text) or not 8 <= len(digits) <= 15:
                continue
            if index == 2 and len(digits) < 9:
                continue  # "01-02-2025" is a date, not a number to call
            if index < 2 and len(digits) >= 10 and digits[-7:-2] == "55501":
                continue  # 555-0100..555-0199: reserved for fiction and documentation
            yield Finding(match.start(), match.end(), PERSONAL_DATA, "phone number")


_IPV4 = re.compile(r"(?<![\w.-])\d{1,3}(?:\.\d{1,3}){3}(?![\w-]|\.\d)")
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{1,4}:)(?:[0-9A-Fa-f]{0,4}:){1,6}[0-9A-Fa-f]{0,4}(?![\w:])"
)
_PUBLIC_RESOLVERS = frozenset(
    {"1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4", "9.9.9.9", "149.112.112.112", "208.67.222.222",
     "208.67.220.220", "2606:4700:4700::1111", "2606:4700:4700::1001", "2001:4860:4860::8888",
     "2001:4860:4860::8844"}
)  # fmt: skip


def _identifies_someone(text: str) -> bool:
    """A globally routable, unicast, not reserved address that is not a public DNS resolver."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and str(address) not in _PUBLIC_RESOLVERS
    )


def _ip_addresses(line: str) -> Iterator[Finding]:
    for pattern, kind in ((_IPV4, "IPv4 address"), (_IPV6, "IPv6 address")):
        for match in pattern.finditer(line):
            if _identifies_someone(match.group(0)):
                yield Finding(match.start(), match.end(), PERSONAL_DATA, kind)


_CARD = re.compile(r"(?<![\d.-])[2-6]\d{3}(?:[ -]?\d){9,15}(?![\d.]|-\d)")


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _cards(line: str) -> Iterator[Finding]:
    for match in _CARD.finditer(line):
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and _luhn(digits):
            yield Finding(match.start(), match.end(), PERSONAL_DATA, "payment card number")


Scanner = Callable[[str], Iterator[Finding]]

# Order matters: where findings overlap, the earlier scanner's wins (secrets first).
# Each scanner comes with a gate: a cheap pattern that every one of its findings
# contains: a line without a match for a gate skips that scanner.
Gate = Callable[[str], object]
_SCANNERS: tuple[tuple[Scanner, Gate], ...] = (
    (_own_secrets, lambda text: _has_own_marker(text) or _has_key_marker(text)),
    (_library_secrets, _CANDIDATE.search),
    (_emails, lambda text: "@" in text),
    (_cards, re.compile(r"\d(?:[ -]?\d){12}").search),
    (_phones, re.compile(r"\+\d|\d{3}[ .-]\d{4}|0\d{0,3}\d[ -]\d\d").search),
    (_ip_addresses, re.compile(r"\d\.\d{1,3}\.\d{1,3}\.\d|[0-9A-Fa-f]:[0-9A-Fa-f]{0,4}:").search),
)
# The same gates for a whole file at once, each a superset of its line gate (so the
# line gate still decides) written to be fast over a long text: a case-insensitive
# alternation is slow in ``re``, so the lower-case markers are found in the lowered
# text; the IP gate starts at its punctuation. None of them matches across a line
# break, so each match stands for the line it starts on.
_OWN_LITERALS = re.compile("|".join(re.escape(marker) for marker in _OWN_MARKERS))
_LOWER_MARKERS = re.compile("|".join(("bearer", *_KEY_MARKERS)))
_FILE_GATES: tuple[re.Pattern[str], ...] = (
    _CANDIDATE,
    re.compile("@"),
    re.compile(r"\d(?:[ -]?\d){12}"),
    re.compile(r"\+\d|\d{3}[ .-]\d{4}|0\d{0,3}\d[ -]\d\d"),
    re.compile(r"\.\d{1,3}\.\d{1,3}\.|:[0-9A-Fa-f]{0,4}:"),
)


def _without_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    for finding in findings:
        if all(finding.end <= other.start or finding.start >= other.end for other in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: (f.start, f.code, f.kind))


def scan_line(line: str) -> list[Finding]:
    """Every likely secret and personal datum in one line, overlaps resolved, in column order."""
    return _scan(line, _SCANNERS)


def redact(text: str) -> str:
    """``text`` with each likely secret or personal datum replaced by ``[redacted]``: for
    messages that quote a value (they never repeat one of these)."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        for finding in reversed(scan_line(line)):
            line = f"{line[: finding.start]}[redacted]{line[finding.end :]}"
        lines[number] = line
    return "\n".join(lines)


def _scan(line: str, scanners: tuple[tuple[Scanner, Gate], ...]) -> list[Finding]:
    return _without_overlaps(
        finding for scanner, gate in scanners if gate(line) for finding in scanner(line)
    )


_WAIVER = re.compile(r"<!--\s*privacy\s*:\s*ok\b(?P<rest>.*?)-->", re.IGNORECASE)


def _waiver(line: str) -> bool | None:
    """True: waived with a reason; False: a waiver without a reason; None: no waiver."""
    found = None
    for match in _WAIVER.finditer(line):
        reason = match.group("rest").strip().lstrip(",:;-").strip()
        if re.search(r"\w", reason):
            return True
        found = False
    return found


def _gated_lines(text: str, lines: Sequence[str]) -> list[tuple[int, int]]:
    """(line number, bit set of scanners whose file gate matches it), in line order."""
    starts: list[int] = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    bits: dict[int, int] = {}

    def mark(positions: Iterable[int], bit: int) -> None:
        for position in positions:
            number = bisect_right(starts, position)
            bits[number] = bits.get(number, 0) | bit

    if text.isascii():
        for bit, positions in enumerate(_ascii_gates(text)):
            mark(positions, 1 << bit)
        return sorted(bits.items())
    mark((m.start() for m in _OWN_LITERALS.finditer(text)), 1)
    lowered = text.lower()
    if len(lowered) == len(text):
        mark((m.start() for m in _LOWER_MARKERS.finditer(lowered)), 1)
    else:  # lower-casing moved the columns: every line is a candidate for this scanner
        mark(iter(starts), 1)
    for bit, gate in enumerate(_FILE_GATES, start=1):
        mark((m.start() for m in gate.finditer(text)), 1 << bit)
    return sorted(bits.items())


# The file gates again for ASCII text, where ``re`` is fastest: a pattern that starts
# with a literal is searched for, one that starts with a character class is tried at
# every position. So each gate becomes literals, searched in the text itself, in its
# lower-cased form (same columns for ASCII), or in a copy with every digit made "0"
# or every long-token character made "a". Each still marks every line its scanner
# can report on (the line gates decide as before); none matches across a line break.
_GITHUB_MARKER = re.compile(r"g(?:h[pousr]_|ithub_pat_)")
_OWN_FINDS = tuple(marker for marker in _OWN_MARKERS if not marker.startswith("g"))
_LOWER_FINDS = ("bearer", *_KEY_MARKERS)
_ZEROED = str.maketrans("123456789", "0" * 9)
_TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZbcdefghijklmnopqrstuvwxyz0123456789_+=-"
_TOKENED = str.maketrans(_TOKEN_CHARS, "a" * len(_TOKEN_CHARS))
_LONG_TOKEN = re.compile("a" * 16)
_URL_CREDENTIALS = re.compile(r"://[^\s/@]*@")
_CARD_DIGITS = re.compile(r"0000(?:[ -]?0){9}")
_PHONE_DIGITS = (re.compile(r"\+0"), re.compile(r"000[ .-]0000"))
# A national number starts with a 0 that follows no word character (dates' zeros do).
_TRUNK_ZERO = re.compile(r"0(?<![\w+.-]0)\d{1,4}[ -]\d\d")
_IP_PUNCTUATION = (re.compile(r"\.\d{1,3}\.\d{1,3}\."), re.compile(r":[0-9A-Fa-f]{0,4}:"))


def _find_all(text: str, literals: Iterable[str]) -> list[int]:
    """Every start of each of ``literals`` in ``text`` (overlapping ones included)."""
    found: list[int] = []
    for literal in literals:
        position = text.find(literal)
        while position >= 0:
            found.append(position)
            position = text.find(literal, position + 1)
    return found


def _ascii_gates(text: str) -> tuple[list[int], ...]:
    """Positions matching each scanner's file gate, one list per scanner (ASCII text only)."""
    lowered = text.lower()
    own = _find_all(text, _OWN_FINDS) + [m.start() for m in _GITHUB_MARKER.finditer(text)]
    own += _find_all(lowered, _LOWER_FINDS)
    library = [m.start() for m in _URL_CREDENTIALS.finditer(text)]
    library += _find_all(text, ("BEGIN", "PuTTY", "AccountKey")) + _find_all(lowered, ("aws",))
    library += [m.start() for m in _LONG_TOKEN.finditer(text.translate(_TOKENED))]
    zeroed = text.translate(_ZEROED)
    cards = [m.start() for m in _CARD_DIGITS.finditer(zeroed)]
    phones = [m.start() for gate in _PHONE_DIGITS for m in gate.finditer(zeroed)]
    phones += [m.start() for m in _TRUNK_ZERO.finditer(text)]
    ips = [m.start() for gate in _IP_PUNCTUATION for m in gate.finditer(text)]
    return own, library, _find_all(text, "@"), cards, phones, ips


_ADVICE = {
    CREDENTIAL: "remove it and rotate the credential",
    PERSONAL_DATA: "remove or anonymise it",
}


def check_privacy(path: str, lines: Sequence[str]) -> list[Diagnostic]:
    """PM070/PM071 diagnostics for a file's lines (``lines[0]`` is line 1)."""
    diagnostics: list[Diagnostic] = []
    for number, bits in _gated_lines("\n".join(lines), lines):
        line = lines[number - 1]
        findings = _scan(line, tuple(pair for i, pair in enumerate(_SCANNERS) if bits & (1 << i)))
        if not findings:
            continue
        waiver = _waiver(line)
        if waiver:
            continue
        note = (
            "; the `<!-- privacy: ok -->` on this line does not waive it: give a reason, "
            "e.g. `<!-- privacy: ok, public status-page address -->`"
            if waiver is False
            else ""
        )
        for finding in findings:
            noun = "secret" if finding.code == CREDENTIAL else "personal data"
            diagnostics.append(
                Diagnostic(
                    path,
                    number,
                    finding.start + 1,
                    finding.code,
                    Level.ERROR if finding.code == CREDENTIAL else Level.WARNING,
                    f"likely {noun} ({finding.kind}) at column {finding.start + 1}; "
                    f"{_ADVICE[finding.code]}, or waive with `<!-- privacy: ok, <reason> -->`{note}",
                )
            )
    return diagnostics
