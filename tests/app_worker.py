"""One Streamlit app process for the shared-store test: runs the Candidates page in AppTest and either
creates a candidate through its form or lists what it shows. The store comes from the environment.

    python tests/app_worker.py create NAME   → {"messages": [...]}
    python tests/app_worker.py list          → {"ids": [...], "names": [...]}
"""

from __future__ import annotations

import json
import sys

from streamlit.testing.v1 import AppTest

from revitalize.core import i18n, settings

if __name__ == "__main__":
    at = AppTest.from_file(str(settings.PROJECT_ROOT / "pages" / "candidates.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if sys.argv[1] == "create":
        next(t for t in reversed(at.text_input) if t.label == i18n.t("cd.name_ja")).set_value(sys.argv[2])
        next(m for m in reversed(at.multiselect) if m.label == i18n.t("cd.munis")).set_value(["01202"])
        next(b for b in reversed(at.button) if b.label == i18n.t("cd.save")).click().run()
        assert not at.exception, [e.value for e in at.exception]
        print(json.dumps({"messages": [s.value for s in at.success], "errors": [e.value for e in at.error]},
                         ensure_ascii=False))
    else:
        table = at.dataframe[0].value if len(at.dataframe) else None
        print(json.dumps({"ids": [] if table is None else table[i18n.t("cd.col_id")].tolist(),
                          "names": [] if table is None else table[i18n.t("cd.name_ja")].tolist()}, ensure_ascii=False))
