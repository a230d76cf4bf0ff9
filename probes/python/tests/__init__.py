"""Unit tests of pulse_probe (unittest; loopback only). The probe's own warnings about the failures
these tests provoke on purpose are silenced."""

import logging

logging.getLogger("pulse_probe").propagate = False
logging.getLogger("pulse_probe").addHandler(logging.NullHandler())
