#!/usr/bin/env bash
# generate.sh re-creates the committed media segments in segments/.
#
# The Go code embeds segments/seg0.ts … seg3.ts and announces each one as
# SegmentDuration long, so if you change the duration, the segment count or
# the frame rate here, change the constants in teststream.go to match;
# TestSegmentFiles checks the files against them (MPEG-TS framing, frame
# count and PTS steps at 25 fps, SPS, PPS and IDR first, total size).
#
# The loop: 8 s of lavfi's testsrc2 (colour bars with a moving gradient,
# moving boxes and a drawn clock and frame counter, no font needed),
# 640x360, 25 fps, H.264 constrained baseline level 3.0, yuv420p, no audio,
# one GOP of exactly 50 frames (2 s, no B-frames) per segment so every
# segment starts with an IDR frame and its own SPS/PPS, cut into 4 MPEG-TS
# segments of 2 s each. Needs ffmpeg with libx264 (Debian: apt-get install
# ffmpeg). Written for ffmpeg 5.1; -threads 1 keeps the output reproducible.
set -euo pipefail

cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ffmpeg -hide_banner -loglevel error -y \
	-f lavfi -i "testsrc2=size=640x360:rate=25:duration=8" \
	-c:v libx264 -profile:v baseline -level:v 3.0 -pix_fmt yuv420p \
	-preset veryslow -threads 1 \
	-b:v 300k -maxrate 320k -bufsize 320k \
	-g 50 -keyint_min 50 -sc_threshold 0 -bf 0 \
	-force_key_frames "expr:eq(mod(n,50),0)" \
	-an \
	-f hls -hls_time 2 -hls_list_size 0 -hls_playlist_type vod \
	-hls_segment_type mpegts \
	-hls_segment_filename "$tmp/seg%d.ts" \
	"$tmp/index.m3u8"

# The playlist ffmpeg wrote is only a by-product; show it for checking.
cat "$tmp/index.m3u8"

mkdir -p segments
rm -f segments/seg*.ts
cp "$tmp"/seg*.ts segments/
ls -l segments
