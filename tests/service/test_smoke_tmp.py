import httpx
from conftest import qr_photo


def test_smoke(live_server):
    server = live_server()
    token = server.token()
    r = httpx.post(f"{server.base_url}/cv/img/qrcode", params={"access_token": token}, files={"img": ("a.jpg", qr_photo(), "image/jpeg")})
    assert r.json()["code_results"][0]["data"] == "https://www.qq.com"
    s2 = live_server("--no-auth")
    r = httpx.post(f"{s2.base_url}/cv/img/qrcode", files={"img": ("a.jpg", qr_photo(), "image/jpeg")})
    assert r.json()["errcode"] == 0
