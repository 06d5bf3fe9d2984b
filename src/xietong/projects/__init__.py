"""Projects and their tasks: members from several departments, a project channel, a
workflow of statuses, a kanban board ordered by rank, dependencies without cycles."""
