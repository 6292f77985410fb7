#!/usr/bin/env python3
"""Checks that the Grafana dashboard and the alerting rules name only metrics Turnout exposes.

    check_metrics.py --scrape METRICS.txt DASHBOARD.json RULES.yml [...]

METRICS.txt is a real scrape of a running `turnout run` (GET /metrics on its admin socket). Every
`turnout_*` name in a dashboard query (panels, nested rows, template variables) or in a rule's
expression must be a family (`# TYPE`) or a sample name of the scrape; histogram queries use the
family's `_bucket`, `_sum` and `_count` samples. Names in PENDING are families whose work has not
landed yet: reported, not failed, while absent from the scrape (and noted once they are exposed,
so that the list can shrink). Python 3 standard library only (the rules file is read line by
line for its `expr:` blocks; promtool checks its syntax).
"""
import argparse
import json
import re
import sys

NAME = re.compile(r"\bturnout_[a-zA-Z0-9_]+")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")

# Families the dashboard or the rules use that depend on work not landed yet, name -> what they
# wait for. Empty: the rollout and notification families, the last to land, are all exposed.
PENDING: dict = {}


def exposed_names(text):
    families, samples = set(), set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            parts = line.split()
            if len(parts) >= 4:
                families.add(parts[2])
        elif line and not line.startswith("#"):
            samples.add(re.split(r"[{\s]", line, maxsplit=1)[0])
    return families, samples


def dashboard_queries(dashboard):
    """Every PromQL text in a dashboard: targets of panels (and of panels nested in rows) and the
    query of every template variable."""
    queries = []

    def walk_panels(panels, where):
        for panel in panels:
            title = panel.get("title", "?")
            for target in panel.get("targets", []):
                if "expr" not in target:
                    raise ValueError(f"{where} panel {title!r}: a target without expr")
                queries.append((f"panel {title!r}", target["expr"]))
            walk_panels(panel.get("panels", []), f"{where} row {title!r}")

    walk_panels(dashboard.get("panels", []), "dashboard")
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query")
        if variable.get("type") == "query" and query:
            queries.append((f"variable ${variable['name']}", query))
    return queries


def rule_expressions(path):
    """The `expr:` of every rule, single-line or block (`expr: |`)."""
    expressions, lines = [], open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        match = re.match(r"^(\s*)expr:\s*(.*)$", lines[i])
        if not match:
            i += 1
            continue
        indent, rest = len(match.group(1)), match.group(2).strip()
        if rest in ("|", ">", "|-", ">-"):
            block = []
            i += 1
            while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                block.append(lines[i].strip())
                i += 1
            expressions.append((f"{path}: rule at line {i}", " ".join(block)))
        else:
            expressions.append((f"{path}: rule at line {i + 1}", rest))
            i += 1
    return expressions


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrape", required=True, help="a /metrics text from a running turnout")
    parser.add_argument("files", nargs="+", help="dashboard .json files and rules .yml files")
    args = parser.parse_args()

    families, samples = exposed_names(open(args.scrape, encoding="utf-8").read())
    if "turnout_info" not in families:
        sys.exit(f"{args.scrape}: not a Turnout scrape (no turnout_info family)")
    known = families | samples

    queries = []
    for path in args.files:
        if path.endswith(".json"):
            dashboard = json.load(open(path, encoding="utf-8"))
            for key in ("title", "uid", "panels", "templating"):
                if key not in dashboard:
                    sys.exit(f"{path}: not a Grafana dashboard (no {key!r})")
            queries += [(f"{path}: {where}", expr) for where, expr in dashboard_queries(dashboard)]
        else:
            found = rule_expressions(path)
            if not found:
                sys.exit(f"{path}: no rule expressions found")
            queries += found

    problems, pending, landed, checked = [], set(), set(), set()
    for where, expr in queries:
        for name in NAME.findall(expr):
            checked.add(name)
            if name in known:
                if name in PENDING:
                    landed.add(name)
                continue
            base = next((name[: -len(s)] for s in HISTOGRAM_SUFFIXES if name.endswith(s)), None)
            if name in PENDING:
                pending.add(name)
            elif base and base in families and base + "_count" in known:
                problems.append(f"{where}: {name} is not exposed (family {base} has no such series)")
            else:
                problems.append(f"{where}: {name} is not exposed by turnout")

    print(f"{len(queries)} queries, {len(checked)} metric names, checked against {len(families)} families "
          f"and {len(samples)} sample names of {args.scrape}")
    for name in sorted(pending):
        print(f"pending: {name} ({PENDING[name]}) is not exposed yet")
    for name in sorted(landed):
        print(f"note: {name} is exposed now; it can leave the PENDING list of {sys.argv[0]}")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print("ok: every other name is exposed" if pending else "ok: every name is exposed")


if __name__ == "__main__":
    main()
