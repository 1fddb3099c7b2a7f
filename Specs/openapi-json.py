#!/usr/bin/env python3
"""Writes Specs/openapi.json from Specs/openapi.yaml (needs PyYAML; run by hand after editing).

The JSON twin serves tools that do not read YAML, and lets the test suite check its own
small YAML reader against an independent one: both documents must be equal.
"""
import json
import pathlib

import yaml

here = pathlib.Path(__file__).resolve().parent
document = yaml.safe_load((here / "openapi.yaml").read_text(encoding="utf-8"))
text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
(here / "openapi.json").write_text(text, encoding="utf-8")
print("wrote", here / "openapi.json")
