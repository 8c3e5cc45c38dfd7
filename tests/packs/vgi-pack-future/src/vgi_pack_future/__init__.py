"""Never imported by a vgi-host older than 99: importing it is the failure."""

raise RuntimeError("vgi-pack-future was imported although it declares vgi-host>=99")
