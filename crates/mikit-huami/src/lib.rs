//! Huami / Zepp cloud client: login (v1 form, v2 AES), tokens, band data decoders.
