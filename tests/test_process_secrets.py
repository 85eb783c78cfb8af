"""Rasa and the action server answer only the processes that hold deskbot's secrets: a local
caller cannot write as an employee, read a conversation or run an action."""

import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from launcher.stack import ROOT

EMPLOYEE = "tg:4242"
MESSAGE = {"sender": EMPLOYEE, "message": "hello"}


async def status(method: str, url: str, **kwargs) -> int:
    async with aiohttp.ClientSession() as client:
        async with client.request(method, url, **kwargs) as response:
            return response.status


@pytest.mark.parametrize("headers", [{}, {"X-Deskbot-Token": "guess"}, {"X-Deskbot-Token": "é"}])
async def test_rasa_refuses_a_message_without_the_gateways_secret(stack, headers):
    url = f"{stack.rasa_url}/webhooks/gateway/webhook"
    assert await status("POST", url, json=MESSAGE, headers=headers) == 403


async def test_rasas_open_rest_channel_is_gone(stack):
    assert await status("POST", f"{stack.rasa_url}/webhooks/rest/webhook", json=MESSAGE) == 404


async def test_the_gateways_secret_gets_an_answer(stack):
    rasa = stack.rasa_client()
    try:
        assert await rasa.send(EMPLOYEE, "/greet", {"language": "en"})
    finally:
        await rasa.close()


@pytest.mark.parametrize("path", [f"/conversations/{EMPLOYEE}/tracker", "/status", "/domain"])
async def test_rasas_http_api_needs_the_token(stack, path):
    assert await status("GET", stack.rasa_url + path) == 401
    assert await status("GET", stack.rasa_url + path, params={"token": "guess"}) == 401
    token, json = {"token": stack.secrets.rasa_token}, {"Accept": "application/json"}
    assert await status("GET", stack.rasa_url + path, params=token, headers=json) == 200


def action_server_url(stack) -> str:
    return stack.action.health_url.removesuffix("/health")


@pytest.mark.parametrize("headers", [{}, {"X-Deskbot-Token": ""}, {"X-Deskbot-Token": "guess"}])
async def test_the_action_server_refuses_a_call_without_rasas_secret(stack, headers):
    call = {"next_action": "action_my_tickets", "sender_id": EMPLOYEE, "tracker": {}}
    url = action_server_url(stack)
    assert await status("POST", f"{url}/webhook", json=call, headers=headers) == 403
    assert await status("GET", f"{url}/actions", headers=headers) == 403
    assert await status("GET", f"{url}/health") == 200


def test_rasa_will_not_start_without_a_secret():
    env = {k: v for k, v in os.environ.items() if k != "DESKBOT_RASA_TOKEN"}
    started = subprocess.run(
        [
            str(Path(os.environ["DESKBOT_RASA_BIN"]) / "python"),
            "-m",
            "launcher.rasa_server",
            "run",
        ],
        cwd=ROOT,
        env=env | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert started.returncode != 0
    assert "DESKBOT_RASA_TOKEN is not set" in started.stderr


def test_the_action_server_will_not_start_without_a_secret():
    env = {k: v for k, v in os.environ.items() if k != "DESKBOT_ACTION_TOKEN"}
    started = subprocess.run(
        [sys.executable, "-m", "launcher.action_server", "--actions", "actions", "--port", "9"],
        cwd=ROOT,
        env=env | {"PYTHONPATH": str(ROOT), "SANIC_HOST": "127.0.0.1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert started.returncode != 0
    assert "DESKBOT_ACTION_TOKEN is not set" in started.stdout + started.stderr
