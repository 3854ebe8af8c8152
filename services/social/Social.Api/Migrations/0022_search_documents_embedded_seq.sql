-- Each stored or withdrawn embedding takes the next number, so every instance's in-process vector index reads only
-- what changed since its last look (docs/semantic-search.md).
CREATE SEQUENCE search_documents_embedded_seq;
ALTER TABLE search_documents ADD COLUMN embedded_seq bigint;
CREATE INDEX search_documents_changes ON search_documents (embedded_seq);
