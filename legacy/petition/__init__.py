"""The petition (信访) stand-in: a SOAP 1.1 + WS-Security web service over the 信访件 of 信访工作条例 (2022)."""
