"""Several replicas sharing one real redis-server: apps, tokens and limits are common.

Each test uses its own Redis database number, so they do not see each other's keys.
"""

from __future__ import annotations

import asyncio

import httpx
from contract_checks import assert_error
from service_support import qr_png, stable_token
from service_support import upload as scan

from imgqrcode.service.store.redis import MAX_CONNECTIONS


def stable(server) -> str:
    return str(stable_token(server).json()["access_token"])


def replicas(live_server, redis_url: str, *flags: str):
    first = live_server("--store", redis_url, *flags)
    second = live_server("--store", redis_url, *flags)
    second.appid, second.secret = first.appid, first.secret
    return first, second


def test_a_token_from_one_replica_is_accepted_by_another(live_server, redis_server):
    first, second = replicas(live_server, f"{redis_server}/1")
    token = first.token()
    assert scan(second, token).json()["errcode"] == 0
    assert stable(first) == stable(second)
    newer = second.token()  # supersedes `token` everywhere, after the grace period
    assert scan(first, token).json()["errcode"] == 0
    assert scan(first, newer).json()["errcode"] == 0
    listed = first.app_command("list").stdout
    assert first.appid in listed


def test_the_daily_quota_is_counted_across_replicas(live_server, redis_server):
    first, second = replicas(live_server, f"{redis_server}/2", "--daily-quota", "3")
    token = first.token()
    codes = [scan(server, token).json()["errcode"] for server in (first, second, first)]
    assert codes == [0, 0, 0]
    assert_error(scan(second, token), 45009, "reach max api daily quota limit")
    assert_error(scan(first, token), 45009, "reach max api daily quota limit")


def test_the_minute_limit_is_counted_across_replicas(live_server, redis_server):
    first, second = replicas(live_server, f"{redis_server}/3", "--rate-limit-per-minute", "2")
    token = first.token()
    responses = [scan(server, token) for server in (first, second, first, second, first)]
    codes = [response.json()["errcode"] for response in responses]
    # Five calls span at most two minute windows, so one window saw at least three.
    assert codes.count(0) <= 4 and 45011 in codes
    limited = next(r for r in responses if r.json()["errcode"] == 45011)
    assert_error(limited, 45011, "api minute-quota reach limit must slower retry next minute")


def test_a_store_that_stops_answering_gives_minus_1_and_fails_health(live_server, disposable_redis):
    server = live_server("--store", f"{disposable_redis.url}/0")
    token = server.token()
    assert scan(server, token).json()["errcode"] == 0
    disposable_redis.stop()
    response = scan(server, token)
    assert_error(response, -1, "system error")
    assert "Traceback" not in response.text
    rid = response.headers["x-request-id"]
    assert server.log_for(rid)["errcode"] == -1
    assert server.log_for(rid)["detail"] == "the store is unavailable"
    # An outage is one line a request, not a traceback each while it lasts.
    assert "store unavailable: ConnectionError: " in server.stderr() and rid in server.stderr()
    assert "Traceback" not in server.stderr()
    health = httpx.get(f"{server.base_url}/healthz", timeout=30)
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "store": "unavailable"}  # no host, port
    assert "health check: store unavailable" in server.stderr()  # the reason is logged


def test_a_burst_past_the_connection_pool_waits_for_connections(live_server, redis_server):
    """Each request holds a Redis connection for a moment: a burst of more requests than
    the pool holds waits for one, where redis-py's default pool failed them with -1."""
    server = live_server("--store", f"{redis_server}/4")
    token = server.token()
    image = qr_png("burst", scale=2)
    url = f"{server.base_url}/cv/img/qrcode"
    token_query, files = {"access_token": token}, {"img": ("a.png", image)}

    async def burst() -> list[int]:
        limits = httpx.Limits(max_connections=None)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            answers = await asyncio.gather(
                *(
                    client.post(url, params=token_query, files=files)
                    for _ in range(2 * MAX_CONNECTIONS + 20)
                )
            )
        return [answer.json()["errcode"] for answer in answers]

    assert set(asyncio.run(burst())) == {0}
    assert httpx.get(f"{server.base_url}/healthz").status_code == 200
