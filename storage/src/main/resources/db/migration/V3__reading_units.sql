-- Units of a reading's metrics, where the payload names them (SenML "u"/"bu"): {"voltage": "V"}.
ALTER TABLE mqtt_messages ADD COLUMN units jsonb;
