"""The long-lived parts one worker process shares between requests."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from starlette.requests import Request

from imgqrcode.reader.preparation import usable_cores
from imgqrcode.service.address_policy import AddressPolicy
from imgqrcode.service.config import ServiceConfig
from imgqrcode.service.decoding import DecodePool
from imgqrcode.service.image_fetcher import ImageFetcher
from imgqrcode.service.memory_budget import MemoryBudget
from imgqrcode.service.store import Store, open_store
from imgqrcode.service.tokens import TokenService
from imgqrcode.service.usage_limits import UsageLimits


def package_version() -> str:
    try:
        return version("imgqrcode")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True, slots=True)
class Services:
    config: ServiceConfig
    store: Store
    tokens: TokenService
    usage: UsageLimits
    decoder: DecodePool
    memory: MemoryBudget
    fetcher: ImageFetcher

    @classmethod
    def start(cls, config: ServiceConfig) -> Services:
        store = open_store(config.resolved_store_url)
        return cls(
            config=config,
            store=store,
            tokens=TokenService(
                store,
                ttl=config.token_ttl,
                grace=config.token_grace,
                calls_per_minute=config.token_calls_per_minute,
            ),
            usage=UsageLimits(store, config.daily_quota, config.rate_limit_per_minute),
            decoder=DecodePool(
                config.decode_threads,
                config.max_pixels,
                parallel=usable_cores() // max(1, config.workers) >= 2,
            ),
            memory=MemoryBudget(max(config.max_inflight_bytes, 2 * config.max_body_bytes)),
            fetcher=ImageFetcher(
                AddressPolicy.from_cidrs(config.fetch_allow_cidrs),
                max_bytes=config.max_image_bytes,
                timeout=config.fetch_timeout,
                user_agent=f"imgqrcode/{package_version()}",
            ),
        )

    async def aclose(self) -> None:
        await self.fetcher.aclose()
        await self.store.aclose()


def services_of(request: Request) -> Services:
    services = request.app.state.services
    assert isinstance(services, Services)
    return services
