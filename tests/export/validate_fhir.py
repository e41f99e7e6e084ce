"""Parses every line of the given NDJSON files as a FHIR R4 Bundle with fhir.resources.

    python validate_fhir.py FILE.ndjson...

fhir.resources 6.4.0 is FHIR R4 4.0.1 at its package root; it checks structure,
cardinality, types and primitive formats (an unknown element, a missing required one, a
list where one value belongs, a malformed date are errors), not terminology, invariants or
references: tests/fhir.rs checks those. Prints one JSON object: bundles and resources by
type; exits 1 with the line and the library's message at the first invalid Bundle.
"""

import json
import sys

import fhir.resources
from fhir.resources.bundle import Bundle


def main(paths):
    if fhir.resources.__fhir_version__ != "4.0.1":
        sys.exit(f"validate_fhir: fhir.resources implements FHIR {fhir.resources.__fhir_version__}, not R4 4.0.1")
    bundles, resources = 0, {}
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                try:
                    bundle = Bundle.parse_raw(line)
                except Exception as error:  # pydantic's ValidationError, or bad JSON
                    print(f"validate_fhir: {path}:{number}: {error}", file=sys.stderr)
                    sys.exit(1)
                bundles += 1
                for entry in bundle.entry or []:
                    kind = entry.resource.resource_type
                    resources[kind] = resources.get(kind, 0) + 1
    print(json.dumps({"fhir_version": fhir.resources.__fhir_version__,
                      "bundles": bundles, "resources": resources}, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
