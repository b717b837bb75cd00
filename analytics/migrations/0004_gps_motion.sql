-- Drive format 1.1: each read's fix quality, speed and heading.
ALTER TABLE reads ADD COLUMN gps_quality INTEGER;
ALTER TABLE reads ADD COLUMN gps_speed_mps FLOAT;
ALTER TABLE reads ADD COLUMN gps_heading_deg FLOAT;
