"""The address rules of the img_url guard, address by address."""

from __future__ import annotations

import pytest

from imgqrcode.service.address_policy import AddressPolicy, ForbiddenAddressError

FORBIDDEN = [
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.254",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "192.0.0.8",
    "::",
    "::1",
    "fe80::1",
    "fe80::1%eth0",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:8.8.8.8",
    "::127.0.0.1",
    "2002:7f00:1::",
    "2002:a9fe:a9fe::1",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::a00:1",
    "2001:0:4136:e378:8000:63bf:80ff:fffe",
    "2001:db8::1",
]

PUBLIC = ["8.8.8.8", "1.1.1.1", "203.119.0.1", "2606:4700:4700::1111", "2a00:1450:4001::1"]


@pytest.mark.parametrize("address", FORBIDDEN)
def test_non_public_addresses_are_refused(address: str) -> None:
    with pytest.raises(ForbiddenAddressError):
        AddressPolicy().check(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert str(AddressPolicy().check(address)) == address


def test_an_allowed_range_lets_only_that_range_through() -> None:
    policy = AddressPolicy.from_cidrs(["127.0.0.2/32", "fd00::/8"])
    assert str(policy.check("127.0.0.2")) == "127.0.0.2"
    assert str(policy.check("fd00::5")) == "fd00::5"
    for other in ("127.0.0.1", "10.0.0.1", "169.254.169.254", "::1"):
        with pytest.raises(ForbiddenAddressError):
            policy.check(other)


def test_mapped_forms_of_an_allowed_address_are_judged_by_the_ipv4_inside() -> None:
    policy = AddressPolicy.from_cidrs(["127.0.0.2/32"])
    assert policy.check("::ffff:127.0.0.2")
    with pytest.raises(ForbiddenAddressError):
        policy.check("::ffff:127.0.0.1")
