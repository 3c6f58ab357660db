"""Run every bench/bench_*.py in turn; each prints its own figures and ratios."""
import subprocess
import sys
from pathlib import Path

failed = 0
for script in sorted(Path(__file__).parent.glob("bench_*.py")):
    print(f"== {script.name}", flush=True)
    failed |= subprocess.run([sys.executable, str(script), *sys.argv[1:]], check=False).returncode != 0
sys.exit(1 if failed else 0)
