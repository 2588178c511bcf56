#!/usr/bin/env python3
"""Derive the expected record count and first/last title of every file of the shared
bibliographic corpus (../shared/fixtures/bibliographic/) WITHOUT running metasift, and write them
as tests/review/corpus_expected.tsv (checked by tests/review/import_corpus_test.cpp).

    python3 tools/review_corpus_expected.py [CORPUS_DIR] > tests/review/corpus_expected.tsv

Only the Python standard library is used. The record format of each file was decided by reading
the file (and SOURCES.md), not by metasift's sniffer; it is the FILES table below. How a count is
obtained, per format (each is the format's record terminator or record start, which the format
documentation defines -- see ../shared/reference/review-tools-formats-queries-prisma.md §2):

  ris      lines matching ^ER  - (the RIS end tag; strict, so a text line starting "ER" inside an
           abstract is not an end -- synthesisr #16)
  medline  lines starting with "PMID- " (one per PubMed record)
  wos      lines that are exactly "ER" (the WoS tagged end of record)
  bibtex   lines starting "@<type>{" or "@<type>(" other than @string/@comment/@preamble
  xml      occurrences of "<record>" (EndNote XML)
  csv      data rows of Python's csv module (header excluded, fully empty rows excluded)

Titles: RIS first TI or T1 of a record plus its untagged continuation lines, else ST; MEDLINE TI
plus 6-space continuation lines; WoS TI plus 3-space continuation lines; BibTeX the braced or
quoted title field; EndNote XML the first <title> of the record; CSV the title column. Whitespace
runs are collapsed to one space. A `compare` column says how the test compares the title:
"exact", or "skeleton" (lower-case ASCII letters and digits only, after removing markup) for
BibTeX and XML, whose importer decodes LaTeX and entities.
"""

import csv
import io
import os
import re
import sys

# path, method, charset used to decode, csv title column, csv delimiter
FILES = [
    ("asreview/baseline_empty_values.ris", "ris", "utf-8", "", ""),
    ("asreview/duplicate_records.csv", "csv", "utf-8", "title", ";"),
    ("asreview/embase.csv", "csv", "utf-8", "Title", ","),
    ("asreview/embase.ris", "ris", "utf-8-sig", "", ""),
    ("asreview/faulty_year.ris", "ris", "utf-8", "", ""),
    ("asreview/generic_semicolon.csv", "csv", "utf-8", "title", ";"),
    ("asreview/ovid_psycinfo.ris", "ris", "utf-8", "", ""),
    ("asreview/proquest.ris", "ris", "utf-8", "", ""),
    ("asreview/pubmed_endnote.txt", "ris", "utf-8", "", ""),
    ("asreview/ris_issue_1099.txt", "ris", "utf-8", "", ""),
    ("asreview/ris_issue_992.txt", "ris", "utf-8", "", ""),
    ("asreview/scopus.ris", "ris", "utf-8", "", ""),
    ("asreview/web_of_science.txt", "ris", "utf-8", "", ""),
    ("asysd/labelled_test_set.csv", "csv", "latin-1", "title", ","),
    ("asysd/mendeley_export.xml", "xml", "utf-8", "", ""),
    ("asysd/ris_export.txt", "ris", "utf-8-sig", "", ""),
    ("asysd/scopus.ris", "ris", "utf-8-sig", "", ""),
    ("asysd/test_export.bib", "bibtex", "utf-8", "", ""),
    ("asysd/test_export.csv", "csv", "utf-8", "Title", ","),
    ("asysd/test_export.ris", "ris", "utf-8", "", ""),
    ("asysd/test_export.txt", "csv", "utf-8", "Title", "\t"),
    ("asysd/wos_test.ris", "ris", "utf-8-sig", "", ""),
    ("asysd/zotero_export.bib", "bibtex", "utf-8", "", ""),
    ("asysd/zotero_export.csv", "csv", "utf-8-sig", "Title", ","),
    ("asysd/zotero_export.ris", "ris", "utf-8", "", ""),
    ("asysd/zotero_export.xml", "xml", "utf-8", "", ""),
    ("bibtexparser/gbk_test.bib", "bibtex", "gb18030", "", ""),
    ("revtools/restoration_WoS.ciw", "wos", "utf-8", "", ""),
    ("revtools/restoration_pubmed.nbib", "medline", "utf-8", "", ""),
    ("revtools/restoration_scopus.ris", "ris", "utf-8", "", ""),
    ("rispy/example_basic.ris", "ris", "utf-8", "", ""),
    ("rispy/example_bom.ris", "ris", "utf-8-sig", "", ""),
    ("rispy/example_custom_list_tags.ris", "ris", "utf-8", "", ""),
    ("rispy/example_empty_tag.ris", "ris", "utf-8", "", ""),
    ("rispy/example_extraneous_data.ris", "ris", "utf-8", "", ""),
    ("rispy/example_full.ris", "ris", "utf-8", "", ""),
    ("rispy/example_full_without_whitespace.ris", "ris", "utf-8", "", ""),
    ("rispy/example_full_write.ris", "ris", "utf-8", "", ""),
    ("rispy/example_multi_unknown_tags.ris", "ris", "utf-8", "", ""),
    ("rispy/example_multiline.ris", "ris", "utf-8", "", ""),
    ("rispy/example_single_unknown_tag.ris", "ris", "utf-8", "", ""),
    ("rispy/example_starting_newlines.ris", "ris", "utf-8", "", ""),
    ("rispy/example_urls.ris", "ris", "utf-8", "", ""),
    ("rispy/example_utf_chars.ris", "ris", "utf-8-sig", "", ""),
    ("rispy/example_wos.ris", "wos", "utf-8", "", ""),  # WoS tagged despite the name
    ("synthesisr/ASP_ris_example.ris", "ris", "utf-8", "", ""),
    ("synthesisr/Ovid_ris_example.ris", "ris", "utf-8", "", ""),
    ("synthesisr/PubMed_example.txt", "medline", "utf-8", "", ""),
    ("synthesisr/Scopus_bib_example.bib", "bibtex", "utf-8", "", ""),
    ("synthesisr/Scopus_ris_example.ris", "ris", "utf-8", "", ""),
    ("synthesisr/WoS_ciw_example.ciw", "wos", "utf-8", "", ""),
    ("synthesisr/WoS_txt_example.txt", "wos", "utf-8", "", ""),
    ("synthesisr/citesource_issue_24.ris", "ris", "utf-8-sig", "", ""),
    ("synthesisr/res_synth_methods.txt", "medline", "utf-8", "", ""),
    ("synthesisr/scopus_extdata.ris", "ris", "utf-8", "", ""),
    ("synthesisr/zoorec_wos.txt", "wos", "utf-8-sig", "", ""),
]


def collapse(s):
    return " ".join(s.split())


def lines(text):
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


RIS_TAG = re.compile(r"^[A-Z][A-Z0-9]  -( |$)")


def ris(text):
    count = sum(1 for l in lines(text) if re.match(r"^ER  -", l))
    titles, shorts, collecting = [], [], False
    for l in lines(text):
        if RIS_TAG.match(l):
            tag, value = l[:2], l[6:]
            collecting = False
            if tag == "TY":
                titles.append(None)
                shorts.append(None)
            elif tag == "ST" and shorts and shorts[-1] is None:
                shorts[-1] = value
            elif tag in ("TI", "T1") and titles and titles[-1] is None:
                titles[-1] = value
                collecting = True
        elif collecting:
            titles[-1] += " " + l
    return count, [collapse(t if t is not None else (s or "")) for t, s in zip(titles, shorts)]


def tagged(text, start, title_tag, indent):
    """MEDLINE (start 'PMID- ', 'TI  - ', 6 spaces) and WoS (start 'PT ', 'TI ', 3 spaces)."""
    titles, collecting = [], False
    for l in lines(text):
        if l.startswith(start):
            titles.append("")
        if l.startswith(" " * indent) and l.strip():
            if collecting:
                titles[-1] += " " + l
            continue
        collecting = bool(titles) and l.startswith(title_tag)
        if collecting:
            titles[-1] = l[len(title_tag):]
    return [collapse(t) for t in titles]


def bibtex(text):
    starts = [m.start() for m in re.finditer(r"^[ \t]*@([A-Za-z]+)[ \t]*[{(]", text, re.M)
              if m.group(1).lower() not in ("string", "comment", "preamble")]
    titles = []
    for i, s in enumerate(starts):
        entry = text[s:starts[i + 1] if i + 1 < len(starts) else len(text)]
        m = re.search(r"(?<![A-Za-z_])title\s*=\s*", entry, re.I)
        title = ""
        if m:
            q = m.end()
            opener = entry[q]
            closer = "}" if opener == "{" else '"'
            depth = 0
            for k in range(q, len(entry)):
                c = entry[k]
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                if (closer == "}" and depth == 0 and c == "}") or (closer == '"' and k > q and c == '"' and depth == 0):
                    title = entry[q + 1:k]
                    break
        titles.append(collapse(title))
    return len(starts), titles


def xml(text):
    titles = []
    for rec in re.findall(r"<record>(.*?)</record>", text, re.S):
        m = re.search(r"<title>(.*?)</title>", rec, re.S)
        titles.append(collapse(m.group(1)) if m else "")
    return text.count("<record>"), titles


def csv_rows(text, column, delimiter):
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if any(c.strip() for c in r)]
    col = rows[0].index(column)
    return len(rows) - 1, [collapse(r[col]) if col < len(r) else "" for r in rows[1:]]


def derive(corpus, path, method, charset, column, delimiter):
    with open(os.path.join(corpus, path), "rb") as f:
        text = f.read().decode(charset)
    if text.startswith("\ufeff"):
        text = text[1:]
    if method == "ris":
        count, titles = ris(text)
    elif method == "medline":
        count = sum(1 for l in lines(text) if l.startswith("PMID- "))
        titles = tagged(text, "PMID- ", "TI  - ", 6)
    elif method == "wos":
        count = sum(1 for l in lines(text) if l == "ER")
        titles = tagged(text, "PT ", "TI ", 3)
    elif method == "bibtex":
        count, titles = bibtex(text)
    elif method == "xml":
        count, titles = xml(text)
    else:
        count, titles = csv_rows(text, column, delimiter)
    if len(titles) != count:
        sys.exit(f"{path}: {count} records by the end-of-record count but {len(titles)} titles")
    return count, titles


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared",
                                                                  "fixtures", "bibliographic")
    on_disk = sorted(os.path.relpath(os.path.join(d, f), corpus) for d, _, fs in os.walk(corpus) for f in fs
                     if f != "SOURCES.md")
    listed = sorted(f[0] for f in FILES)
    if on_disk != listed:
        sys.exit(f"corpus and FILES differ: only on disk {set(on_disk) - set(listed)}, only listed {set(listed) - set(on_disk)}")
    out = sys.stdout
    out.write("# Generated by tools/review_corpus_expected.py from ../shared/fixtures/bibliographic (not by metasift).\n")
    out.write("# path\tmethod\tcount\tcompare\tfirst_title\tlast_title\n")
    for path, method, charset, column, delimiter in FILES:
        count, titles = derive(corpus, path, method, charset, column, delimiter)
        compare = "skeleton" if method in ("bibtex", "xml") else "exact"
        first = titles[0] if titles else ""
        last = titles[-1] if titles else ""
        out.write("\t".join([path, method, str(count), compare, first, last]) + "\n")


if __name__ == "__main__":
    main()
