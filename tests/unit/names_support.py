"""A fleet file whose names are what people type (Cyrillic, spaces, punctuation), added to the demo fleet."""

from __future__ import annotations

import unicodedata

# The references of the phones are written decomposed (NFD), as some editors and keyboards write
# "й" and "ё": they must still name the items written composed.
OFFICE_NFD = unicodedata.normalize("NFD", "Офис «Север» --> 2-й этаж")
assert OFFICE_NFD != unicodedata.normalize("NFC", OFFICE_NFD)

LABELS_YML = f"""\
tenants:
  ООО «Ромашка»:
    description: a customer named as its staff writes it
sites:
  Склад 1:
    tenant: ООО «Ромашка»
  Отдел продаж (2 этаж):
    tenant: ООО «Ромашка»
    timezone: Europe/Moscow
profiles:
  Базовый:
    sip: {{registrar: pbx.example.com}}
    extended: [Громкость звонка]
  Офис «Север» --> 2-й этаж:
    sip: {{registrar: pbx.example.com}}
extended_sets:
  Громкость звонка:
    vendor: yealink
    params:
      voice.ring_vol: 8
key_templates:
  Приёмная, ряд 1:
    keys:
      - {{index: 1, function: line, line: 1}}
      - {{index: 2, function: speed_dial, value: "3002", label: Склад}}
firmware:
  kits:
    Весна-2026 (ёлки):
      files: [yealink-t54w-96.86.0.45]
phones:
  - mac: 80:5e:c0:77:00:01
    name: Склад, стеллаж 1
    model: T54W
    profile: Базовый
    site: Склад 1
    firmware_kit: Весна-2026 (ёлки)
    key_template: Приёмная, ряд 1
    lines:
      - {{number: "3001", password: label-test-1}}
  - mac: 00:1a:e8:77:00:02
    name: Отдел продаж
    vendor: unify
    model: CP400
    profile: "{OFFICE_NFD}"
    site: Отдел продаж (2 этаж)
    lines:
      - {{number: "3002", password: label-test-2}}
"""
YEALINK_MAC = "805ec0770001"
UNIFY_MAC = "001ae8770002"
