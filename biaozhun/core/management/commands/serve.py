"""`biaozhun serve`: the web server (gunicorn), the job worker and the periodic jobs together.

This is what `make run` starts. In production run the three under a process manager
instead (docs/deployment.md).
"""

import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

# Periodic, idempotent commands: name -> minimum seconds between runs, and their arguments.
PERIODIC = {"refresh_status": 24 * 3600, "notify_watch_lists": 3600,
            "run_projects_daily": 3600, "close_consultations": 3600,
            "count_search_words": 3600}
ARGUMENTS = {"count_search_words": ["--if-stale"]}


class Command(BaseCommand):
    help = "启动 Web 服务（gunicorn）、后台任务进程和定时任务。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, host, port, workers, **options):
        python = sys.executable
        children = [
            subprocess.Popen([python, "-m", "gunicorn", "config.wsgi:application",
                              "--bind", f"{host}:{port}", "--workers", str(workers),
                              "--access-logfile", "-", "--timeout", "120"]),
            subprocess.Popen([python, "-m", "biaozhun", "db_worker", "--interval", "1"]),
        ]
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(self.style.SUCCESS(f"服务已启动：http://{host}:{port}/ （Ctrl+C 停止）"))
        last_run: dict[str, float] = {}
        try:
            while not stopping:
                for name, every in PERIODIC.items():
                    if time.monotonic() - last_run.get(name, -every) >= every:
                        last_run[name] = time.monotonic()
                        call_command(name, *ARGUMENTS.get(name, []), verbosity=0)
                        self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M} 已运行定时任务 {name}")
                if any(child.poll() is not None for child in children):
                    self.stderr.write("一个子进程已退出，正在停止服务。")
                    break
                time.sleep(1)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
