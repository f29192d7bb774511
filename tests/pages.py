"""Reading pages in tests: the tables a person sees, cell by cell."""

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.text = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag == "caption" or (tag in ("td", "th") and self.tables and self.tables[-1]["rows"]):
            self.text = ""

    def handle_endtag(self, tag):
        if self.text is None:
            return
        if tag == "caption":
            self.tables[-1]["caption"] = " ".join(self.text.split())
            self.text = None
        elif tag in ("td", "th"):
            self.tables[-1]["rows"][-1].append(" ".join(self.text.split()))
            self.text = None

    def handle_data(self, data):
        if self.text is not None:
            self.text += data


def tables(content: str) -> list[dict]:
    """Every table of a page: {"caption": its caption, "rows": lists of cell texts}."""
    parser = _Tables()
    parser.feed(content)
    return parser.tables


def table(content: str, title: str) -> list[list[str]]:
    """The rows (heading row first) of the table captioned `title`."""
    return next(t["rows"] for t in tables(content) if t["caption"] == title)


def table_rows(content: str, title: str) -> dict[str, list[str]]:
    """The rows of the table captioned `title`, from the page, label -> cell texts."""
    return {row[0]: row[1:] for row in table(content, title)[1:]}
