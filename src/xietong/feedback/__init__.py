"""员工之声: an anonymous suggestion box answered publicly by the departments, kudos (感谢/表扬)
with the company's values, and a showcase of best-practice cases an administrator promotes.
The box stores nothing that identifies an author (see `feedback.suggestions` in docs/api.md)."""
