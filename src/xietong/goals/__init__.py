"""Goals (OKR): objectives of the company, its departments and its people for a quarter,
aligned to one another, with key results measured by a metric or by linked tasks; progress
rolls up, weighted, from key results to objectives to the objectives they serve."""
