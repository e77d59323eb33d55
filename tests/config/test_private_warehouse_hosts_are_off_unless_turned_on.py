from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _setting(tmp_path: Path, **environ: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "SYNCLINE_ALLOW_PRIVATE_HOSTS"}
    env.update(DEBUG="true", DJANGO_SETTINGS_MODULE="config.settings")
    env.update(SYNCLINE_VAR_DIR=str(tmp_path), **environ)
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SYNCLINE_ALLOW_PRIVATE_HOSTS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_private_warehouse_hosts_are_refused_by_default(tmp_path):
    assert _setting(tmp_path) == "False"


def test_the_environment_turns_private_warehouse_hosts_on(tmp_path):
    assert _setting(tmp_path, SYNCLINE_ALLOW_PRIVATE_HOSTS="true") == "True"


def test_the_demo_allows_private_hosts_for_its_local_warehouse():
    makefile = (ROOT / "Makefile").read_text()
    demo_env = re.search(r"^DEMO_ENV = (.*?)(?<!\\)\n", makefile, flags=re.M | re.S)
    assert demo_env is not None
    assert "SYNCLINE_ALLOW_PRIVATE_HOSTS=true" in demo_env.group(1)
