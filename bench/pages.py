"""Page weight of the built website: the HTML size of every chapter page (student and, if built, instructor edition).

Run after `make book` (and `make book-instructor`): `.venv/bin/python -m bench.pages` writes bench/results/pages.md.
Pre-rendered widget pictures live inside the HTML (base64 widget state), so this is what a reader downloads.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDITIONS = {"student": ROOT / "_build" / "html", "instructor": ROOT / "_build" / "instructor" / "_build" / "html"}
LIMIT_BYTES = 3 * 1024 * 1024  # no chapter page above 3 MB of HTML (issue 15)


def page_sizes():
    """{(edition, page path relative to the site): bytes} for every chapter, exercise and solution page built."""
    sizes = {}
    for edition, site in EDITIONS.items():
        for folder in ("notebooks", "exercises", "solutions"):
            for page in sorted((site / folder).glob("*.html")):
                sizes[(edition, str(page.relative_to(site)))] = page.stat().st_size
    return sizes


def report(sizes):
    lines = ["# Page weight of the built website", "",
             f"HTML bytes per page (limit {LIMIT_BYTES / 2**20:.0f} MB); written by `python -m bench.pages`.", "",
             "| edition | page | size (MB) | under the limit |", "|---|---|---:|---|"]
    for (edition, page), size in sorted(sizes.items()):
        lines.append(f"| {edition} | {page} | {size / 2**20:.2f} | {'yes' if size <= LIMIT_BYTES else '**no**'} |")
    return "\n".join(lines) + "\n"


def main():
    sizes = page_sizes()
    if not sizes:
        raise SystemExit("bench.pages: no built pages under _build/: run `make book` first")
    text = report(sizes)
    (ROOT / "bench" / "results" / "pages.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
