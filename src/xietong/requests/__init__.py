"""Cross-department requests (跨部门工单): a request filed with another department gets a
type, an owner, deadlines on the business calendar and a timeline that records every step."""
