-- Semantic search's documents (people, groups, events): their text, and its embedding once the worker made it.
-- cube gives the distance of two embeddings in C (its limit of 100 dimensions bounds Social:Embeddings:Dimensions);
-- docs/semantic-search.md says why the scan is exact and not a GiST kNN index.
CREATE EXTENSION IF NOT EXISTS cube;

CREATE TABLE search_documents (
    kind text NOT NULL,
    id uuid NOT NULL,
    owner_id uuid,
    title text NOT NULL,
    body text NOT NULL,
    is_public boolean NOT NULL,
    cancelled boolean NOT NULL DEFAULT false,
    revision bigint NOT NULL DEFAULT 1,
    embedded_revision bigint,
    embedding real[],
    attempts integer NOT NULL DEFAULT 0,
    retry_at timestamp with time zone,
    as_of timestamp with time zone,
    PRIMARY KEY (kind, id)
);

-- The worker's queue: stale rows, the ones never tried first.
CREATE INDEX search_documents_stale ON search_documents (retry_at) WHERE embedded_revision IS DISTINCT FROM revision;

-- The full-text fallback (websearch_to_tsquery + ts_rank) over the same text.
CREATE INDEX search_documents_text ON search_documents
    USING gin (to_tsvector('english'::regconfig, title || ' ' || body));
