"""What the glossary contributes to the server."""

from __future__ import annotations

from xietong.core.i18n import CHINESE
from xietong.core.signals import FoundItems, IndexRebuilding
from xietong.glossary import models
from xietong.glossary.api import router
from xietong.glossary.consumer import TermChangeNotices
from xietong.glossary.demo import demo_glossary
from xietong.glossary.events import GLOSSARY_EVENTS, GlossaryScopes
from xietong.glossary.searching import TermReaders, found_terms, reindex_terms
from xietong.manifest import ConsumerNeeds, DomainManifest, Mount, Reaction


def _notices(needs: ConsumerNeeds) -> TermChangeNotices:
    return TermChangeNotices(zone=needs.zone)


MANIFEST = DomainManifest(
    name="glossary",
    routers=(Mount(router),),
    models=(models,),
    event_types=GLOSSARY_EVENTS,
    scope_resolvers=(GlossaryScopes(),),
    scope_readers=(TermReaders(),),
    signal_handlers=(Reaction(FoundItems, found_terms),
                     Reaction(IndexRebuilding, reindex_terms)),
    event_consumers=(_notices,),
    demo=(demo_glossary,),
    error_texts={
        CHINESE: {
            "term_name_taken": "这个名称已被另一个术语使用（术语和别名不能重名）。",
            "term_name_too_short": "术语和别名至少要有 2 个字符。",
            "term_name_too_long": "名称规范化后太长。",
            "term_name_repeated": "术语和别名里有重复的名称。",
            "may_not_write_term": "术语由所属部门的成员、部门负责人、术语负责人和管理员维护。",
            "term_department_required": "请指定术语所属的部门（你尚未加入任何部门）。",
            "may_not_delete_term":
                "只有所属部门的负责人和管理员可以删除术语，其他人可以将其标为停用。",
            "owners_required": "术语至少要有一位负责人。",
            "unknown_replacement": "要改用的术语不存在。",
            "replacement_deprecated": "要改用的术语也已停用，请选择正在使用的术语。",
            "replacement_hidden": "全公司可见的术语只能指向全公司可见的术语。",
            "replacement_needs_deprecation": "只有已停用的术语才能指定替代术语。",
        },
    },
)
