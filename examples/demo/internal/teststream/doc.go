// Package teststream serves a looping HLS live stream of a test pattern, so
// the demo's fake streaming gateway shows moving video in a player such as
// hls.js, with no encoder running.
//
// The media are Segments MPEG-TS files of SegmentDuration each (H.264
// constrained baseline, 640x360, 25 fps, no audio; see generate.sh), embedded
// in the binary and played in a loop of Loop. A stream that went on air at
// since has, at now, completed segment k (a media sequence number, counted
// from 0) once since + (k+1)·SegmentDuration <= now; segment k is the file
// k mod Segments, so the bytes of a given k never change.
//
// Playlist builds the live media playlist (no EXT-X-ENDLIST) with a sliding
// window of the last Window completed segments, an EXT-X-DISCONTINUITY
// before each segment that restarts the loop and the matching
// EXT-X-DISCONTINUITY-SEQUENCE. Handler serves it and the segments over HTTP
// for any number of named streams, as an HLS origin would:
//
//	GET /{name}/index.m3u8   the live media playlist
//	GET /{name}/{seq}.ts     the segment of media sequence number seq
//
// Mount it under a prefix with http.StripPrefix.
package teststream
