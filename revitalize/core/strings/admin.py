"""Strings of the user administration page (pages/users.py)."""

STRINGS: dict[str, tuple[str, str]] = {
    "wf.users_admins_only": ("このページは管理者だけが使えます（あなたの権限：{role}）。",
                             "Only admins can use this page (your role: {role})."),
}
