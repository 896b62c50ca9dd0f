from qapilint.cli import run

run()
