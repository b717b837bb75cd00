-- The canonical (look-alike) key of each read's plate, for misread-tolerant
-- searches: every character replaced by its confusion-class
-- representative (0/O/D/Q→0, 1/I/L→1, 2/Z→2, 5/S→5, 8/B→8, 6/G→6). The
-- translate() arguments must equal plate.ConfusionClasses(); a test checks.
ALTER TABLE reads ADD COLUMN plate_key VARCHAR;
UPDATE reads SET plate_key = translate(plate, 'ODQILZSBG', '000112586');
