"""Where the signing key comes from, and what an operator sees when it is missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_secret_key

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_key(monkeypatch):
    monkeypatch.delenv("BZ_TEST_KEY", raising=False)


def test_the_environment_wins_over_the_key_file(tmp_path, monkeypatch):
    (tmp_path / "secret_key").write_text("from-file\n")
    monkeypatch.setenv("BZ_TEST_KEY", "from-env")
    assert env_secret_key("BZ_TEST_KEY", tmp_path / "secret_key", None) == "from-env"


def test_the_key_file_is_read_when_the_variable_is_unset(tmp_path, no_key):
    (tmp_path / "secret_key").write_text("  from-file\n")
    assert env_secret_key("BZ_TEST_KEY", tmp_path / "secret_key", "dev") == "from-file"


def test_the_default_stands_when_there_is_neither(tmp_path, no_key):
    assert env_secret_key("BZ_TEST_KEY", tmp_path / "secret_key", "dev") == "dev"
    (tmp_path / "secret_key").write_text("\n")  # an empty file is no key
    assert env_secret_key("BZ_TEST_KEY", tmp_path / "secret_key", "dev") == "dev"


def test_no_key_at_all_says_how_to_get_one(tmp_path, no_key):
    with pytest.raises(ImproperlyConfigured) as raised:
        env_secret_key("BZ_TEST_KEY", tmp_path / "secret_key", None)
    assert str(raised.value) == (
        "Environment variable BZ_TEST_KEY is required (docs/deployment.md). On a development "
        f"machine, `make run` writes one to {tmp_path / 'secret_key'}; or set DEBUG=1.")


def test_the_command_line_reports_a_missing_key_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env["BIAOZHUN_VAR_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-m", "biaozhun.manage", "codes", "normalize"],
                          cwd=ROOT, env=env, input="", capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert done.stderr == (
        "biaozhun: configuration error: Environment variable SECRET_KEY is required "
        "(docs/deployment.md). On a development machine, `make run` writes one to "
        f"{tmp_path / 'secret_key'}; or set DEBUG=1.\n")
    assert "Traceback" not in done.stdout + done.stderr


def test_the_command_line_runs_with_the_key_file_of_make_run(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env["BIAOZHUN_VAR_DIR"] = str(tmp_path)
    (tmp_path / "secret_key").write_text("a-key-that-make-run-wrote-0123456789-abcdefghijkl\n")
    done = subprocess.run([sys.executable, "-m", "biaozhun.manage", "codes", "normalize"],
                          cwd=ROOT, env=env, input="gbt1.1-2020\n", capture_output=True,
                          text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == ('{"input": "gbt1.1-2020", "code": "GB/T 1.1-2020", '
                           '"family": "national", "error": null}\n')
