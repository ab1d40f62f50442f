package sipmediagwtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// The v1.8 launcher and proxy are FastAPI applications with two exception
// handlers: HTTPException → {"status":"error","error":{"code","detail"},
// "data":null}, request validation → 422 {"status":"error","error":
// "Invalid input","message":[pydantic errors]}. Routing errors keep
// Starlette's {"detail": …}.

// answer is a FastAPI answer before rendering.
type answer struct {
	status int
	body   any
}

func fastSuccess(data any) answer {
	return answer{http.StatusOK, object{{"status", "success"}, {"error", nil}, {"data", data}}}
}

func fastError(status int, detail string) answer {
	return answer{status, object{
		{"status", "error"},
		{"error", object{{"code", status}, {"detail", detail}}},
		{"data", nil},
	}}
}

// writeFast renders a as Starlette's JSONResponse (compact).
func writeFast(e *exchange, a answer) { e.write(a.status, jsonType, compactJSON(a.body)) }

func writeNotFound(e *exchange) {
	e.write(http.StatusNotFound, jsonType, compactJSON(object{{"detail", "Not Found"}}))
}

func writeMethodNotAllowed(e *exchange, allow string) {
	e.w.Header().Set("Allow", allow)
	e.write(http.StatusMethodNotAllowed, jsonType, compactJSON(object{{"detail", "Method Not Allowed"}}))
}

// fieldKind is the pydantic type of a model field.
type fieldKind uint8

const (
	kindStr fieldKind = iota
	kindDict
	kindBool
)

// field is a pydantic model field.
type field struct {
	name     string
	kind     fieldKind
	required bool
}

// validationError is one pydantic error.
func validationError(typ string, loc []any, msg string, input any) object {
	return object{{"type", typ}, {"loc", loc}, {"msg", msg}, {"input", input}}
}

func invalidInput(errs []any) answer {
	return answer{http.StatusUnprocessableEntity, object{
		{"status", "error"}, {"error", "Invalid input"}, {"message", errs},
	}}
}

// parseBody decodes a JSON request body for a pydantic model and checks
// its fields, as FastAPI does before calling the route. It returns the
// object, or the 422 answer.
func parseBody(body []byte, fields []field) (object, *answer) {
	if len(bytes.TrimSpace(body)) == 0 {
		a := invalidInput([]any{validationError("missing", []any{"body"}, "Field required", nil)})
		return nil, &a
	}
	v, err := decodeJSON(body)
	if err != nil {
		pos := 0
		var se *json.SyntaxError
		if errors.As(err, &se) {
			pos = int(se.Offset) - 1
		}
		if pos < 0 {
			pos = 0
		}
		e := validationError("json_invalid", []any{"body", pos}, "JSON decode error", object{})
		e = append(e, member{"ctx", object{{"error", "Expecting value"}}})
		a := invalidInput([]any{e})
		return nil, &a
	}
	obj, ok := v.(object)
	if !ok {
		a := invalidInput([]any{validationError("model_attributes_type", []any{"body"},
			"Input should be a valid dictionary or object to extract fields from", v)})
		return nil, &a
	}
	var errs []any
	for _, f := range fields {
		val, present := obj.get(f.name)
		loc := []any{"body", f.name}
		switch {
		case !present:
			if f.required {
				errs = append(errs, validationError("missing", loc, "Field required", obj))
			}
		case val == nil:
			if f.required {
				errs = append(errs, validationError(typeErrorOf(f.kind), loc, typeMessageOf(f.kind), nil))
			}
		default:
			if e := checkKind(f.kind, val, loc); e != nil {
				errs = append(errs, e)
			}
		}
	}
	if len(errs) > 0 {
		a := invalidInput(errs)
		return nil, &a
	}
	return obj, nil
}

func typeErrorOf(k fieldKind) string {
	switch k {
	case kindDict:
		return "dict_type"
	case kindBool:
		return "bool_type"
	}
	return "string_type"
}

func typeMessageOf(k fieldKind) string {
	switch k {
	case kindDict:
		return "Input should be a valid dictionary"
	case kindBool:
		return "Input should be a valid boolean"
	}
	return "Input should be a valid string"
}

// checkKind validates a present, non-null value in pydantic's lax mode.
func checkKind(k fieldKind, v any, loc []any) object {
	switch k {
	case kindStr:
		if _, ok := v.(string); ok {
			return nil
		}
	case kindDict:
		if _, ok := v.(object); ok {
			return nil
		}
	case kindBool:
		switch t := v.(type) {
		case bool:
			return nil
		case json.Number:
			if t == "0" || t == "1" {
				return nil
			}
		case string:
			switch strings.ToLower(t) {
			case "0", "off", "f", "false", "n", "no", "1", "on", "t", "true", "y", "yes":
				return nil
			}
			return validationError("bool_parsing", loc, "Input should be a valid boolean, unable to interpret input", v)
		}
	}
	return validationError(typeErrorOf(k), loc, typeMessageOf(k), v)
}
