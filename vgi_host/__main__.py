"""`python -m vgi_host` is the `vgi-host` command."""

from vgi_host.cli.main import main

main()
