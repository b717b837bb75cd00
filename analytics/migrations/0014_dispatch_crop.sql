-- A pushed hit's plate crop, for dispatch to see what the officer sees
-- (at most 40 KB, a JPEG; none when the car sent none). Destroyed with its
-- row by the purge, as the rest of the dispatch copy.
ALTER TABLE dispatch_hits ADD COLUMN crop BLOB;
