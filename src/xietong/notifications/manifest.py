"""What the notification centre contributes to the server."""

from __future__ import annotations

from xietong.manifest import ConsumerNeeds, DomainManifest, Mount
from xietong.notifications import models
from xietong.notifications.api import router
from xietong.notifications.consumer import NotificationConsumer
from xietong.notifications.events import NOTIFICATION_EVENTS


def _consumer(needs: ConsumerNeeds) -> NotificationConsumer:
    return NotificationConsumer(statuses=needs.statuses, zone=needs.zone)


MANIFEST = DomainManifest(
    name="notifications",
    routers=(Mount(router),),
    models=(models,),
    event_types=NOTIFICATION_EVENTS,
    event_consumers=(_consumer,),
)
