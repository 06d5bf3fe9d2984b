"""The company's settings: what an administrator chooses, such as who may create channels.

- `definitions`: each setting's key, type, default and zh-CN/en labels, as the fields of
  one typed pydantic model (`CompanySettings`), and the group type the permission
  settings hold (`PermissionGroup`).
- `models`: one row of the administrator's choices (only values other than the default).
- `queries`: the settings as a request reads them, through a per-process cache, and where a
  person stands in the organisation as far as the settings' groups ask.
- `actions`: changing them (administrators; validated, serialised, audited).
- `api`: `GET`/`PATCH /api/v1/admin/settings` and `GET /api/v1/settings/permissions`.

The rules that read a setting stay in `xietong.policy` as pure questions; the caller loads
the settings in its unit of work and passes the group in.
"""
