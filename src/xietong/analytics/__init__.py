"""Collaboration analytics (数据洞察): daily rollups of what people do across departments,
kept by one event-log consumer, and the dashboards, exports and maturity reports read from
them. Figures are aggregates only; nothing here ranks or shows one person."""
