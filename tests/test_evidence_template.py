"""The evidence sheet from its autoescaped Jinja2 template (issue 25), on the synthetic fixture database (no
mirror): hostile text from a candidate, an asset or a user layer arrives escaped, the package's SVG does not."""

from __future__ import annotations

import pandas as pd

from revitalize.data import credits
from revitalize.outputs import evidence

HOSTILE = '<script>alert("x")</script> & <b>'


def test_hostile_title_note_asset_and_user_feature_are_escaped(fixture_con):
    site = fixture_con.execute("SELECT site_id, source_url FROM anime_sites WHERE muni_code = '01202'").fetchone()
    assets = pd.DataFrame({"layer": ["anime_sites"], "asset_id": [site[0]], "label": [HOSTILE],
                           "source_url": [site[1] + ";javascript:alert(1)"]})
    features = pd.DataFrame({"title": [HOSTILE], "name": ["<img src=x onerror=alert(1)>"], "category": ["c"],
                             "muni_code": ["01202"], "credit": ["出典：<i>市</i>"]})
    subject = evidence.Subject(("01202",), title=HOSTILE, assets=assets, note=HOSTILE, user_features=features)
    page = evidence.evidence_html(fixture_con, subject, lang="ja")
    assert "<script>" not in page and "<img src=x" not in page and "<i>市</i>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "出典：&lt;i&gt;市&lt;/i&gt;" in page
    assert 'href="javascript:' not in page and "javascript:alert(1)" in page  # shown as text, not a link
    assert f'href="{site[1]}"' in page
    assert "<svg" in page and "<circle" in page  # the package's own map SVG is markup, not text
    assert credits.credit("boundaries", "ja") in page


def test_the_sheet_keeps_its_sections_in_both_languages(fixture_con):
    for lang, words in (("ja", ("指標", "出典")), ("en", ("Indicator", "Credit"))):
        page = evidence.evidence_html(fixture_con, evidence.Subject(("01202",)), lang=lang)
        assert page.startswith("<!DOCTYPE html>") and page.count('<section class="sheet">') == 1
        assert all(w in page for w in words), lang
        assert page.rstrip().endswith("</section></body></html>")
