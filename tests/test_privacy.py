"""PM070 likely secrets and PM071 likely personal data (privacy.py).

Every secret below is fake but correctly shaped, and built by concatenation so
this repository holds no literal a secret scanner would flag.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postmortem_kb.model import Diagnostic, Level
from postmortem_kb.privacy import _DETECTOR_PATTERNS, check_privacy, literal_prefix, scan_line

PATH = "postmortems/2025-03-14-checkout.md"
WAIVE = "or waive with `<!-- privacy: ok, <reason> -->`"


def b64url(data: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


AWS_KEY_ID = "AKIA" + "IOSFODNN7" + "EXAMPLE"
GITHUB_CLASSIC = "ghp" + "_" + "a1B2c3D4e5F6g7H8i9J0" + "k1L2m3N4o5P6q7R8"
GITHUB_FINE_GRAINED = (
    "github" + "_pat_" + "11ABCDEFG0123456789_" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF"
)
SLACK_WEBHOOK = (
    "https://hooks.slack.com/" + "services/" + "T0123ABCD/B0456EFGH/" + "abcdefghijklmnopqrstuvwx"
)
SLACK_TOKEN = (
    "xox" + "b-" + "1234" + "56789012-" + "12345" + "67890123-" + "abcdef" + "ABCDEF" + "123456"
)
JWT = (
    b64url({"alg": "HS256", "typ": "JWT"})
    + "."
    + b64url({"sub": "1234567890", "name": "x"})
    + "."
    + "dozjgNryP4J3"
    + "jVmNHl0w5N_X"
    + "gL0n3I9PlFUP"
    + "0THsR8U"
)
PEM_HEADER = "-----BEGIN RSA " + "PRIVATE KEY-----"
LEAKED = "hunter" + "2024!"
STRIPE_KEY = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"


def findings(line: str) -> list[tuple[int, str, str]]:
    """(1-based column, code, kind) of each finding in ``line``."""
    return [(f.start + 1, f.code, f.kind) for f in scan_line(line)]


def diagnostics(*lines: str) -> list[Diagnostic]:
    return check_privacy(PATH, list(lines))


# -- secrets -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("prefix", "secret", "kind"),
    [
        ("aws key ", AWS_KEY_ID, "AWS access key id"),
        ("export GH=", GITHUB_CLASSIC, "GitHub token"),
        ("token ", GITHUB_FINE_GRAINED, "GitHub token"),
        ("posted to ", SLACK_WEBHOOK, "Slack webhook"),
        ("bot ", SLACK_TOKEN, "Slack token"),
        ("cookie session=", JWT, "JSON Web Token"),
        ("", PEM_HEADER, "private key"),
        ("card charge via ", STRIPE_KEY, "Stripe Access Key"),  # a detect-secrets detector
    ],
)
def test_secret_kinds_are_errors_with_column_and_no_value(
    prefix: str, secret: str, kind: str
) -> None:
    line = f"{prefix}{secret} seen in the log"
    (found,) = diagnostics("intro", line)
    column = len(prefix) + 1
    assert found == Diagnostic(
        PATH, 2, column, "PM070", Level.ERROR,
        f"likely secret ({kind}) at column {column}; remove it and rotate the credential, {WAIVE}",
    )  # fmt: skip
    assert secret not in found.message


def test_pem_block_is_reported_once_at_its_header() -> None:
    lines = ["```", PEM_HEADER, "MIIEowIBAAKCAQEA7bq2", "-----END RSA " + "PRIVATE KEY-----", "```"]
    assert [(d.line, d.column, d.code) for d in diagnostics(*lines)] == [(2, 1, "PM070")]


@pytest.mark.parametrize(
    "line",
    [
        "2025-03-14T09:12:01Z ERROR db connect failed user=app password=" + LEAKED + " host=db-1",
        "level=warn msg=retry db_password=" + LEAKED,
        'payload {"client_secret": "' + LEAKED + '"}',
        "GET /v1/orders?id=7&access_token=" + LEAKED + "x1 200",
        "config: API_KEY=" + LEAKED,
        "Secret: " + LEAKED,
    ],
)
def test_password_and_token_pairs_in_log_lines(line: str) -> None:
    found = findings(line)
    assert [(code, kind) for _, code, kind in found] == [
        ("PM070", "password or token in a log line")
    ]
    assert line[found[0][0] - 1 :].startswith(LEAKED)
    (diagnostic,) = diagnostics(line)
    assert LEAKED not in diagnostic.message


@pytest.mark.parametrize(
    "line",
    [
        "password=*** token=<redacted> secret=${DB_SECRET} api_key=$API_KEY pwd=xxxx",
        "password=[REDACTED] auth=ok token=null passwd=XXXXXXXX apikey={{ api_key }}",
        "PWD=/srv/checkout and access_key=%s in the format string",
        "Auth: enabled. Secret: payments-db-v2. Token: rotated. Password: required",
        "token_count=12 secret_name=payments-db tokens: 3 author=dana",
        "We rotated the token: it was revoked at 09:40.",
        "Bearer tokens expire after an hour; basic authentication is off.",
    ],
)
def test_placeholders_and_ordinary_prose_are_not_secrets(line: str) -> None:
    assert findings(line) == []


def test_bearer_header_and_basic_auth_url() -> None:
    bearer = "Authorization: Bearer " + "abcdef0123456789" + "ABCDEF"
    assert findings(bearer) == [(16, "PM070", "bearer token")]
    url = "DATABASE_URL=postgres://app:" + "s3cretPW9" + "@db.internal:5432/orders"
    assert findings(url) == [(29, "PM070", "Basic Auth Credentials")]


# -- personal data ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "value", "kind"),
    [
        ("Reported by jane.doe@gmail.com at 09:12", "jane.doe@gmail.com", "email address"),
        ("Customer +44 20 7946 0958 called", "+44 20 7946 0958", "phone number"),
        ("Customer +14155552671 called", "+14155552671", "phone number"),
        ("Call (415) 555-2671 back", "(415) 555-2671", "phone number"),
        ("Call 415-555-2671 back", "415-555-2671", "phone number"),
        ("Call 415.555.2671 back", "415.555.2671", "phone number"),
        ("Anruf von 030 1234 5678 um 09:12", "030 1234 5678", "phone number"),
        ("Requests from 81.2.69.160 spiked", "81.2.69.160", "IPv4 address"),
        ("Requests from 81.2.69.160:443 spiked", "81.2.69.160", "IPv4 address"),
        (
            "Requests from 2a00:1450:4001:81b::200e spiked",
            "2a00:1450:4001:81b::200e",
            "IPv6 address",
        ),
        (
            "Card 4111 1111 1111 1111 was charged twice",
            "4111 1111 1111 1111",
            "payment card number",
        ),
        (
            "Card 5555-5555-5555-4444 was charged twice",
            "5555-5555-5555-4444",
            "payment card number",
        ),
        ("Card 378282246310005 was charged twice", "378282246310005", "payment card number"),
    ],
)
def test_personal_data_kinds_are_warnings(line: str, value: str, kind: str) -> None:
    (found,) = diagnostics(line)
    column = line.index(value) + 1
    assert found == Diagnostic(
        PATH, 1, column, "PM071", Level.WARNING,
        f"likely personal data ({kind}) at column {column}; remove or anonymise it, {WAIVE}",
    )  # fmt: skip
    assert value not in found.message


@pytest.mark.parametrize(
    "line",
    [
        # reserved documentation domains and role mailboxes
        "Mail ops@example.com, a@status.example.org, b@corp.example, c@host.invalid, d@ci.test",
        "From noreply@acme.io via git@github.com:acme/checkout.git, escalate to security@acme.io",
        "pip install pkg==1.2.3; npm i lodash@4.17.21; image app@sha256:abc",
        # times, dates, versions, durations, ids, metrics
        "| 2025-03-14 09:12 | 09:12:30 | 2025-03-14T09:12:00+01:00 | v1.2.3.4 | 1.20.3 |",
        "Latency rose from 120 ms to 4 500 ms; 12 345 678 requests failed; p99 1500ms (+1200 ms)",
        "INC-2025-0042, JIRA OPS-1234, PR #4121, build 20250314.3, 01-02-2025, took 01:02:03",
        "commit 4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39, trace 4bf92f3577b34da6a3ce929d0e0e4736",
        "request 7f3c9a2e-1b4d-4e8f-9a6b-2c5d8e1f3a7b at epoch 1710407520000",
        # fictional numbers and non-personal addresses
        "Test line 415-555-0123 and +1 415 555 0199",
        "10.0.0.1 172.16.4.2 192.168.1.10 127.0.0.1 0.0.0.0 100.64.3.4 169.254.169.254",
        "192.0.2.10 198.51.100.7 203.0.113.99 8.8.8.8 1.1.1.1 224.0.0.251 255.255.255.255",
        "::1 fe80::1 fd00::5 2001:db8::1 ff02::1 std::vector Foo::Bar 12:30:00 |:---|",
        # digits that fail Luhn or start outside the card ranges
        "order 4111 1111 1111 1112 and 1234 5678 9012 3456 and 0000 0000 0000 0000",
    ],
)
def test_no_false_alarms_on_ordinary_postmortem_text(line: str) -> None:
    assert findings(line) == []


def test_secret_wins_over_overlapping_personal_data() -> None:
    line = "smtp://alerts:" + "Pa55word" + "x9" + "@mail.acme.io"
    assert [(code, kind) for _, code, kind in findings(line)] == [
        ("PM070", "Basic Auth Credentials")
    ]


def test_several_findings_on_one_line_in_column_order() -> None:
    line = "user jane@acme.io from 81.2.69.160 used " + AWS_KEY_ID
    assert findings(line) == [
        (6, "PM071", "email address"),
        (24, "PM071", "IPv4 address"),
        (41, "PM070", "AWS access key id"),
    ]


# -- waivers ------------------------------------------------------------------------
def test_waiver_with_reason_silences_the_line_only() -> None:
    lines = [
        "Status page IP 81.2.69.160 <!-- privacy: ok, our public status page -->",
        "Status page IP 81.2.69.160 <!--PRIVACY: OK,public-->",
        "Customer IP 81.2.69.160",
    ]
    assert [(d.line, d.code) for d in diagnostics(*lines)] == [(3, "PM071")]


@pytest.mark.parametrize(
    "waiver", ["<!-- privacy: ok -->", "<!-- privacy: ok, -->", "<!-- privacy: ok,   -->"]
)
def test_waiver_without_reason_does_not_waive_and_says_so(waiver: str) -> None:
    (found,) = diagnostics(f"key {AWS_KEY_ID} {waiver}")
    assert (found.line, found.column, found.code, found.level) == (1, 5, "PM070", Level.ERROR)
    assert found.message.endswith(
        "; the `<!-- privacy: ok -->` on this line does not waive it: give a reason, "
        "e.g. `<!-- privacy: ok, public status-page address -->`"
    )


def test_every_line_is_scanned_including_front_matter_and_code() -> None:
    lines = ["---", "authors: [jane@acme.io]", "---", "```", "password=" + LEAKED, "```"]
    assert [(d.line, d.column, d.code) for d in diagnostics(*lines)] == [
        (2, 11, "PM071"),
        (5, 10, "PM070"),
    ]


def test_scanning_is_deterministic_and_free_of_global_state() -> None:
    line = "key " + AWS_KEY_ID + " and " + GITHUB_CLASSIC
    assert scan_line(line) == scan_line(line)
    assert findings(line) == [(5, "PM070", "AWS access key id"), (30, "PM070", "GitHub token")]


# -- the detectors' literal prefixes (a pattern whose prefix is absent is not run) ----------
@pytest.mark.parametrize(
    ("source", "prefix"),
    [
        ("abc|xyz", ""),  # an alternation at the top: no common prefix
        ("a(b|c)", "a"),
        ("[|]x", ""),
        ("\\|a", "|a"),  # escaped punctuation is literal
        ("AC[a-z]{3}", "AC"),
        ("ab+c", "ab"),  # "b" repeats: the prefix stops after its first copy
        ("a{2}b", ""),
        ("ab?c", "a"),  # an optional character ends the prefix before it
        ("SG\\.x", "SG.x"),
        ("[]|]q", ""),
        ("(?:a|b)c", ""),
        ("\\d{8}:", ""),
        ("(?i)abc", ""),  # case-insensitive: none
    ],
)
def test_literal_prefix_reads_only_what_every_match_starts_with(source: str, prefix: str) -> None:
    assert literal_prefix(re.compile(source)) == prefix


@pytest.mark.parametrize(
    ("detector", "pattern", "prefix"),
    [entry for entry in _DETECTOR_PATTERNS if entry[2]],
    ids=lambda value: type(value).__name__ if not isinstance(value, re.Pattern | str) else "",
)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_match_of_a_detector_pattern_starts_with_its_prefix(
    detector: object, pattern: re.Pattern[str], prefix: str, data: st.DataObject
) -> None:
    text = data.draw(st.from_regex(pattern, fullmatch=True))
    assert text.startswith(prefix), (pattern.pattern, text)


def test_most_detector_patterns_have_a_prefix_and_secrets_are_still_found() -> None:
    assert sum(1 for _, _, prefix in _DETECTOR_PATTERNS if prefix) >= 20
    line = "deploy key AKIAIOSFODNN7EXAMPLE leaked, and SG." + "a" * 22 + "." + "b" * 43
    kinds = {finding.kind for finding in scan_line(line)}
    assert kinds == {"AWS access key id", "SendGrid API Key"}  # the second from detect-secrets
