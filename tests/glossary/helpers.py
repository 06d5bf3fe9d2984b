"""Writing and reading glossary terms through the API, as a client would."""

from __future__ import annotations

from typing import Any

from tests.helpers import Cast, Person

GLOSSARY = "/api/v1/glossary"
TERMS = f"{GLOSSARY}/terms"
RECOGNISE = f"{GLOSSARY}/recognise"


async def make_term(cast: Cast, person: Person, term: str, department: str, *,
                    definition: str | None = None, **body: Any) -> dict[str, Any]:
    response = await person.api.post(TERMS, json={
        "term": term, "department_id": cast.departments[department],
        "definition": definition or f"{term}的定义。", **body})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def recognise(person: Person, text: str) -> list[tuple[str, str]]:
    """(the text matched, the term it names) for each match, in order."""
    response = await person.api.post(RECOGNISE, json={"text": text})
    assert response.status_code == 200, response.text
    return [(text[m["start"]:m["end"]], m["term"]) for m in response.json()["items"]]
