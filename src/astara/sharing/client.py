"""The HTTP side of a pull: signed requests to a partner's feed and receipts endpoints (stdlib only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

from astara.errors import AstaraError
from astara.sharing.feed import sign_request
from astara.sharing.keys import KeyPair
from astara.sharing.messages import ReceiptBody, Signed

FEED_PATH = "/api/sharing/feed"
RECEIPTS_PATH = "/api/sharing/receipts"


class PartnerUnreachable(AstaraError):
    """The partner's instance did not answer, or answered with an error."""

    status_code = 502
    exit_code = 10
    code = "partner_unreachable"


def _call(url: str, method: str, headers: dict[str, str], body: bytes | None, timeout: float) -> Any:
    if not url.startswith(("http://", "https://")):
        raise PartnerUnreachable(f"{url} is not an http(s) address")
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 - checked
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:500]
        raise PartnerUnreachable(f"{url} answered {exc.code}: {detail}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise PartnerUnreachable(f"cannot reach {url}: {exc}") from exc


def fetch_feed(
    base_url: str, keys: KeyPair, sender: str, to: str, after: int, limit: int, timeout: float = 60.0
) -> dict[str, Any]:
    query = urlencode({"after": after, "limit": limit})
    headers = sign_request(keys, "GET", FEED_PATH, query, sender, to)
    result: dict[str, Any] = _call(
        f"{base_url.rstrip('/')}{FEED_PATH}?{query}", "GET", headers, None, timeout
    )
    return result


def send_receipts(
    base_url: str,
    keys: KeyPair,
    sender: str,
    to: str,
    receipts: list[Signed[ReceiptBody]],
    timeout: float = 60.0,
) -> dict[str, Any]:
    body = json.dumps({"receipts": receipts}).encode()
    headers = sign_request(keys, "POST", RECEIPTS_PATH, "", sender, to, body)
    headers["Content-Type"] = "application/json"
    result: dict[str, Any] = _call(f"{base_url.rstrip('/')}{RECEIPTS_PATH}", "POST", headers, body, timeout)
    return result
