-- A suspend_user resolution may say when the suspension ends; identity enforces it from ReportResolved.
ALTER TABLE reports ADD COLUMN suspended_until timestamptz;
