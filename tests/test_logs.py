"""DESKBOT_LOG_FORMAT=json: one JSON object a line, from the processes deskbot runs itself."""

import json
import logging
import sys

from ops.logs import JsonFormatter, LogSettings, configure
from tests.support.gateway import run_gateway_process


def test_a_record_with_its_exception_is_one_json_line():
    try:
        raise ValueError("broken «input»")
    except ValueError:
        record = logging.getLogger("deskbot.test").makeRecord(
            "deskbot.test", logging.ERROR, __file__, 1, "failed for %s", ("tg:1",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "\n" not in line
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "ERROR",
        "deskbot.test",
        "failed for tg:1",
    )
    assert "ValueError: broken «input»" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def test_configure_replaces_the_root_handlers():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure(LogSettings(format="json", level="WARNING"))
        assert [type(h.formatter) for h in root.handlers] == [JsonFormatter]
        assert root.level == logging.WARNING
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_the_gateway_logs_json_lines():
    done = run_gateway_process(DESKBOT_LOG_FORMAT="json", TELEGRAM_BOT_TOKEN="not a token")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and lines
    entries = [json.loads(line) for line in lines]
    assert entries[-1]["level"] == "ERROR" and "bot_token" in entries[-1]["message"]
