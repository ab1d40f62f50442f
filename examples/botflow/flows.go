package botflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// The steps of each SIPMediaGW bot release in BBB's HTML5 client, read
// from github.com/Renater/SIPMediaGW at the release's tag and written
// again here with chromedp: Selenium's calls for v1.5.1, v1.6.0 and
// v1.7.0, the injected script's for v1.8.4.

// timeScale divides the bot's timeouts: the fakes answer at once.
const timeScale = 5

// pollInterval is how often a wait looks again (Selenium's WebDriverWait
// polls every 0.5 s, uihelper.js's waitForElement every 0.1 s).
const pollInterval = 100 * time.Millisecond

// scaled is one of the bot's timeouts, divided by timeScale but never
// under half a second.
func scaled(d time.Duration) time.Duration {
	return max(d/timeScale, 500*time.Millisecond)
}

// release is a bot release and its steps.
type release struct {
	Name string // the tag: v1.5.1
	// Gateway is the fake gateway of the release: its protocol tells
	// v1.7 (legacy) from v1.8 (proxy) to the bot page.
	Gateway sipmediagwtest.Version
	// BBB lists the BBB releases it runs against: the one of its time,
	// and 3.0.
	BBB []string
	// Source is the release's file the steps come from.
	Source string
	// Steps, in order: the bot page (open by the harness), then the
	// meeting room.
	Steps []step
}

// step is one thing the bot does; Do fails where the bot would not get
// through it.
type step struct {
	Name string
	Do   func(p *page) error
}

// page is the bot's browser tab.
type page struct {
	ctx     context.Context
	name    string // the name the bot types
	message string // the chat message it sends
}

// releases are the four releases, oldest first.
func releases() []release {
	return []release{
		pod("v1.5.1", sipmediagwtest.V15),
		pod("v1.6.0", sipmediagwtest.V16),
		v17(),
		v184(),
	}
}

// pod is v1.5.1 and v1.6.0, whose browsing/bigbluebutton.py are the same
// file: Selenium, tryClick retrying (after a 1 s sleep, left out) only
// when Selenium says "is not clickable at point", raising anything
// else.
func pod(tag string, gw sipmediagwtest.Version) release {
	click := func(sel string, attempts int, timeout time.Duration) func(*page) error {
		return func(p *page) error { return p.tryClick(sel, attempts, timeout, false) }
	}
	return release{
		Name: tag, Gateway: gw, BBB: []string{"2.7.0", "3.0.0"},
		Source: tag + ":browsing/bigbluebutton.py",
		Steps: []step{
			{`accept cookies: tryClick("#okcookie", 5, 40)`, click("#okcookie", 5, 40*time.Second)},
			{`enter name: presence of #id_name (20 s), send_keys, submit()`, func(p *page) error {
				if err := p.presence("#id_name", 20*time.Second); err != nil {
					return err
				}
				return p.typeAndSubmit("#id_name")
			}},
			{`microphone: tryClick("[aria-label=Microphone]", 5, 20)`, click("[aria-label=Microphone]", 5, 20*time.Second)},
			{`microphone: presence of option[value='default'] (20 s)`, func(p *page) error {
				return p.presence("option[value='default']", 20*time.Second)
			}},
			{`microphone: tryClick("[data-test=joinEchoTestButton]", 5, 20)`, click("[data-test=joinEchoTestButton]", 5, 20*time.Second)},
			{`(check) in the audio`, inAudio},
			{`camera: tryClick(".icon-bbb-video_off", 5, 40)`, click(".icon-bbb-video_off", 5, 40*time.Second)},
			{`camera: #setQuality clickable (60 s), select_by_value("high")`, func(p *page) error {
				return p.selectQuality("high", 60*time.Second)
			}},
			{`camera: tryClick('[data-test="startSharingWebcam"]', 5, 20)`, click(`[data-test="startSharingWebcam"]`, 5, 20*time.Second)},
			{`(check) sharing the webcam`, sharingWebcam},
			{`chat: #chat-toggle-button (20 s), #message-input (1 s), sendMessageButton (1 s) clickable`, detectChat},
			{`chat: chatHandler: send_keys(message), sendMessageButton.click()`, seleniumChat},
		},
	}
}

// v17 is v1.7.0's browsing/bigbluebutton.py: Selenium, tryClick
// retrying on any WebDriverException (a timeout included), no sleep.
func v17() release {
	click := func(sel string, attempts int, timeout time.Duration) func(*page) error {
		return func(p *page) error { return p.tryClick(sel, attempts, timeout, true) }
	}
	return release{
		Name: "v1.7.0", Gateway: sipmediagwtest.V17, BBB: []string{"2.7.0", "3.0.0"},
		Source: "v1.7.0:browsing/bigbluebutton.py",
		Steps: []step{
			{`accept cookies: tryClick("#okcookie", 4, 1)`, click("#okcookie", 4, time.Second)},
			{`enter name: #joinFormName clickable (20 s), send_keys, submit()`, func(p *page) error {
				if err := p.clickable("#joinFormName", 20*time.Second); err != nil {
					return err
				}
				return p.typeAndSubmit("#joinFormName")
			}},
			{`microphone: tryClick("[aria-label='Join audio']", 5, 10)`, click("[aria-label='Join audio']", 5, 10*time.Second)},
			{`(check) in the audio`, inAudio},
			{`camera: tryClick(".icon-bbb-video_off", 5, 10)`, click(".icon-bbb-video_off", 5, 10*time.Second)},
			{`camera: #setQuality clickable (60 s), select_by_value("high")`, func(p *page) error {
				return p.selectQuality("high", 60*time.Second)
			}},
			{`camera: tryClick(startSharingWebcam, 5, 20), then click it while it is there`, func(p *page) error {
				return p.startSharingV17()
			}},
			{`(check) sharing the webcam`, sharingWebcam},
			{`chat: #chat-toggle-button (20 s), #message-input (1 s), sendMessageButton (1 s) clickable`, detectChat},
			{`chat: chatHandler: send_keys(message), sendMessageButton.click()`, seleniumChat},
		},
	}
}

// v184 is v1.8.4's browsing/bigbluebutton.py, which injects
// assets/uihelper.js and assets/bigbluebutton.js: Browsing.join (in
// src/browsing.py) calls the script's join(), then Python waits 10 s for
// sessionToken in the URL and calls browse(). Every click is a
// dispatched MouseEvent.
func v184() release {
	return release{
		Name: "v1.8.4", Gateway: sipmediagwtest.V18, BBB: []string{"3.0.0"},
		Source: "v1.8.4:browsing/bigbluebutton.py, browsing/assets/bigbluebutton.js, browsing/assets/uihelper.js",
		Steps: []step{
			{`join(): #joinFormName visible (20 s), value set, input event`, func(p *page) error {
				if err := p.waitForElement("#joinFormName", true, false, 20*time.Second); err != nil {
					return err
				}
				return p.eval(`(() => {
					const el = document.querySelector("#joinFormName");
					Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(el, ` + jsString(p.name) + `);
					el.dispatchEvent(new Event("input", { bubbles: true }));
				})()`)
			}},
			{`join(): button[type='submit'] clickable (20 s), dispatched click`, func(p *page) error {
				if err := p.waitForElement("button[type='submit']", false, true, 20*time.Second); err != nil {
					return err
				}
				return p.dispatchClick("button[type='submit']")
			}},
			{`join: URL contains sessionToken (10 s)`, func(p *page) error {
				return p.urlContains("sessionToken", 10*time.Second)
			}},
			{`browse(): [data-test='audioModal'] visible (20 s), dispatched click`, func(p *page) error {
				if err := p.waitForElement("[data-test='audioModal']", true, false, 20*time.Second); err != nil {
					return err
				}
				return p.dispatchClick("[data-test='audioModal']")
			}},
			{`browse(): tryClickWhileVisible('[data-test="joinEchoTestButton"]')`, func(p *page) error {
				return p.tryClickWhileVisible(`[data-test="joinEchoTestButton"]`)
			}},
			{`(check) in the audio`, inAudio},
			{`browse(): [data-test='sessionDetailsModal'] visible (20 s), its [data-test='closeModal'] clicked`, func(p *page) error {
				if err := p.waitForElement("[data-test='sessionDetailsModal']", true, false, 20*time.Second); err != nil {
					return err
				}
				return p.eval(`document.querySelector("[data-test='sessionDetailsModal'] [data-test='closeModal']")
					.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true }))`)
			}},
			{`startVideo(): [data-test='joinVideo'] clickable (20 s), dispatched click`, func(p *page) error {
				if err := p.waitForElement("[data-test='joinVideo']", false, true, 20*time.Second); err != nil {
					return err
				}
				return p.dispatchClick("[data-test='joinVideo']")
			}},
			{`startVideo(): #setQuality clickable (20 s), value "medium", change event`, func(p *page) error {
				if err := p.waitForElement("#setQuality", false, true, 20*time.Second); err != nil {
					return err
				}
				return p.eval(`(() => {
					const el = document.querySelector("#setQuality");
					el.value = "medium";
					el.dispatchEvent(new Event("change", { bubbles: true }));
				})()`)
			}},
			{`startVideo(): tryClickWhileVisible('[data-test="startSharingWebcam"]')`, func(p *page) error {
				return p.tryClickWhileVisible(`[data-test="startSharingWebcam"]`)
			}},
			{`(check) sharing the webcam`, sharingWebcam},
			{`chat: typeText(message): #message-input set, input event, sendMessageButton.click()`, func(p *page) error {
				// The Python of v1.8.4 calls bbb.typeText, a name the page does
				// not define: the method is window.meeting's.
				return p.eval(`(() => {
					const input = document.querySelector("#message-input");
					const last = input.value;
					input.value = ` + jsString(p.message) + `;
					if (input._valueTracker) input._valueTracker.setValue(last);
					input.dispatchEvent(new Event("input", { bubbles: true }));
					document.querySelector('[data-test="sendMessageButton"]').click();
				})()`)
			}},
		},
	}
}

// Checks between the bot's steps: what the client shows once a step
// worked (the action bar offers to leave what was joined).

func inAudio(p *page) error {
	return p.waitJS("the action bar's Leave audio (in the audio)", jsVisible(`[data-test="leaveAudio"]`), 2*time.Second)
}

func sharingWebcam(p *page) error {
	return p.waitJS("the action bar's Stop sharing webcam", jsVisible(`[data-test="leaveVideo"]`), 2*time.Second)
}

// detectChat is the Selenium releases' "Detect Chat": the toggle
// clickable within 20 s, then the input and the send button within 1 s
// each. The bot does not click the toggle (only a user's "c" does).
func detectChat(p *page) error {
	if err := p.clickable("#chat-toggle-button", 20*time.Second); err != nil {
		return err
	}
	if err := p.clickable("#message-input", time.Second); err != nil {
		return err
	}
	return p.clickable(`[data-test="sendMessageButton"]`, time.Second)
}

// seleniumChat is chatHandler with a message from the gateway: keys
// into the input, a click on the send button. The bot swallows a
// failure, and the message is lost.
func seleniumChat(p *page) error {
	if err := chromedp.Do(p.ctx, chromedp.SendKeys(chromedp.CSS("#message-input"), p.message)); err != nil {
		return fmt.Errorf("send_keys into #message-input: %w", err)
	}
	return p.seleniumClick(`[data-test="sendMessageButton"]`)
}

// errIntercepted is the part of Selenium's "element click intercepted"
// message v1.5/v1.6's tryClick retries on.
const errIntercepted = "is not clickable at point"

// tryClick is the Selenium releases' tryClick(driver, selector,
// attempts, timeout): wait up to timeout for the element to be
// clickable, click it. anyError (v1.7.0) retries on every error; without
// it (v1.5.1, v1.6.0) only an intercepted click is retried, any other
// error (a timeout) is raised at once.
func (p *page) tryClick(sel string, attempts int, timeout time.Duration, anyError bool) error {
	var last error
	for range attempts {
		err := p.clickable(sel, timeout)
		if err == nil {
			err = p.seleniumClick(sel)
		}
		if err == nil {
			return nil
		}
		if !anyError && !strings.Contains(err.Error(), errIntercepted) {
			return err
		}
		last = err
	}
	return fmt.Errorf("custom click timed out after %d attempts: %w", attempts, last)
}

// startSharingV17 is v1.7.0's camera loop: tryClick "Start sharing",
// then, while it holds an element, click it again and wait 60 s for a
// clickable "Start sharing", keeping the old element when none comes.
// Clicking an element gone from the page raises (a stale element), which
// ends the loop, as it does in the bot; so does an intercepted click.
func (p *page) startSharingV17() error {
	const sel = `[data-test="startSharingWebcam"]`
	if err := p.tryClick(sel, 5, 20*time.Second, true); err != nil {
		return err
	}
	if err := p.eval(`window.__botflowHeld = document.querySelector(` + jsString(sel) + `)`); err != nil {
		return err
	}
	for i := 0; ; i++ {
		if i == 10 {
			return errors.New("still clicking " + sel + " after 10 rounds: the bot loops")
		}
		attached, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`!!window.__botflowHeld && window.__botflowHeld.isConnected`))
		if err != nil {
			return err
		}
		if !attached {
			return nil // StaleElementReferenceException: out of the loop
		}
		if err := p.seleniumClickHeld(); err != nil {
			return fmt.Errorf("the loop's click on %s: %w", sel, err)
		}
		if p.clickable(sel, 60*time.Second) == nil {
			if err := p.eval(`window.__botflowHeld = document.querySelector(` + jsString(sel) + `)`); err != nil {
				return err
			}
		}
	}
}

// typeAndSubmit is send_keys(name) then WebElement.submit() on the name
// field.
func (p *page) typeAndSubmit(sel string) error {
	if err := chromedp.Do(p.ctx, chromedp.SendKeys(chromedp.CSS(sel), p.name)); err != nil {
		return fmt.Errorf("send_keys into %s: %w", sel, err)
	}
	// Selenium's submit(): from the element up to its form, a
	// cancelable submit event, and the form's native submit unless a
	// listener cancelled it.
	return p.eval(`(() => {
		let form = document.querySelector(` + jsString(sel) + `);
		while (form && form.nodeName !== "FORM") form = form.parentNode;
		if (!form) throw new Error("Unable to find containing form element");
		const e = new Event("submit", { bubbles: true, cancelable: true });
		if (form.dispatchEvent(e)) HTMLFormElement.prototype.submit.call(form);
	})()`)
}

// selectQuality waits up to timeout for a clickable #setQuality, then
// picks value as Selenium's Select.select_by_value does: a click on the
// <option>, which selects it and fires input and change.
func (p *page) selectQuality(value string, timeout time.Duration) error {
	if err := p.clickable("#setQuality", timeout); err != nil {
		return err
	}
	return p.eval(`(() => {
		const sel = document.querySelector("#setQuality");
		const opt = sel.querySelector('option[value=` + jsString(value) + `]');
		if (!opt) throw new Error("Cannot locate option with value: " + ` + jsString(value) + `);
		if (!opt.selected) {
			opt.selected = true;
			sel.dispatchEvent(new Event("input", { bubbles: true }));
			sel.dispatchEvent(new Event("change", { bubbles: true }));
		}
	})()`)
}

// presence is EC.presence_of_element_located.
func (p *page) presence(sel string, timeout time.Duration) error {
	return p.waitJS("presence of "+sel, `document.querySelector(`+jsString(sel)+`) !== null`, scaled(timeout))
}

// clickable is EC.element_to_be_clickable: the first match displayed
// (Selenium's isDisplayed: not display:none or visibility:hidden up the
// tree, opacity above 0, a box of positive size, or a child with one)
// and enabled.
func (p *page) clickable(sel string, timeout time.Duration) error {
	return p.waitJS(sel+" clickable", `(() => {
		const el = document.querySelector(`+jsString(sel)+`);
		if (!el) return false;
		const shown = (e) => {
			for (let a = e; a && a.nodeType === 1; a = a.parentElement) {
				const s = getComputedStyle(a);
				if (s.display === "none" || Number(s.opacity) === 0) return false;
			}
			if (getComputedStyle(e).visibility !== "visible") return false;
			const sized = (n) => {
				const r = n.getBoundingClientRect();
				if (r.width > 0 && r.height > 0) return true;
				return Array.from(n.children).some(sized);
			};
			return sized(e);
		};
		return shown(el) && !el.disabled;
	})()`, scaled(timeout))
}

// seleniumClick is WebElement.click() on the first match: scrolled into
// view, then, as chromedriver does, refused when another element than
// it (or one inside it) is at its in-view centre, else real mouse
// events there.
func (p *page) seleniumClick(sel string) error {
	return p.mouseClick(`document.querySelector(` + jsString(sel) + `)`)
}

// seleniumClickHeld clicks the element v1.7.0's camera loop holds.
func (p *page) seleniumClickHeld() error {
	return p.mouseClick(`window.__botflowHeld`)
}

// clickPoint is where a Selenium click lands, or why it does not.
type clickPoint struct {
	X, Y  float64
	Error string
}

func (p *page) mouseClick(elem string) error {
	pt, err := chromedp.Run(p.ctx, chromedp.Evaluate[clickPoint](`(() => {
		const el = `+elem+`;
		const desc = (e) => e ? "<" + e.localName + Array.from(e.attributes, (a) => " " + a.name + '="' + a.value + '"').join("") + ">" : "nothing";
		if (!el) return { Error: "no such element" };
		if (!el.isConnected) return { Error: "stale element reference: element is not attached to the page document" };
		el.scrollIntoView({ block: "end", inline: "nearest" });
		const r = el.getClientRects()[0];
		if (!r || r.width === 0 || r.height === 0) return { Error: "element not interactable: " + desc(el) + " has no size" };
		const left = Math.max(0, r.left), right = Math.min(innerWidth, r.right);
		const top = Math.max(0, r.top), bottom = Math.min(innerHeight, r.bottom);
		const x = Math.floor((left + right) / 2), y = Math.floor((top + bottom) / 2);
		const hit = document.elementFromPoint(x, y);
		if (hit !== el && !el.contains(hit)) {
			return { Error: "element click intercepted: Element " + desc(el) + " is not clickable at point (" + x + ", " + y + "). Other element would receive the click: " + desc(hit) };
		}
		return { X: x, Y: y };
	})()`))
	if err != nil {
		return err
	}
	if pt.Error != "" {
		return errors.New(pt.Error)
	}
	return chromedp.Do(p.ctx,
		chromedp.MouseEvent("mouseMoved", pt.X, pt.Y),
		chromedp.MouseClickXY(pt.X, pt.Y))
}

// waitForElement is uihelper.js's waitForElement(selector, {visible,
// clickable}, timeout): the first match, visible meaning not
// display:none, not visibility:hidden and an offset box of positive
// size; clickable meaning visible and not disabled.
func (p *page) waitForElement(sel string, visible, clickable bool, timeout time.Duration) error {
	what := sel
	if visible {
		what += " visible"
	}
	if clickable {
		what += " clickable"
	}
	return p.waitJS(what, fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		if (!el) return false;
		const s = getComputedStyle(el);
		const isVisible = s.display !== "none" && s.visibility !== "hidden" && el.offsetHeight > 0 && el.offsetWidth > 0;
		return (!%t || isVisible) && (!%t || (isVisible && !el.disabled));
	})()`, jsString(sel), visible, clickable), scaled(timeout))
}

// tryClickWhileVisible is bigbluebutton.js's tryClickWhileVisible(selector)
// with its defaults (5 tries, 1 s): wait up to 1 s for the element to be
// clickable, dispatch a click, wait 1 s; done once it is gone or has no
// offsetParent. The bot goes on either way; here it fails.
func (p *page) tryClickWhileVisible(sel string) error {
	const tries, delay = 5, time.Second
	for range tries {
		if p.waitForElement(sel, false, true, delay) != nil {
			continue
		}
		if err := p.dispatchClick(sel); err != nil {
			continue
		}
		if p.waitJS(sel+" gone", `(() => {
			const el = document.querySelector(`+jsString(sel)+`);
			return !el || el.offsetParent === null;
		})()`, scaled(delay)) == nil {
			return nil
		}
	}
	return fmt.Errorf("failed to click %s after %d attempts", sel, tries)
}

// dispatchClick is the script's el.dispatchEvent(new MouseEvent("click")).
func (p *page) dispatchClick(sel string) error {
	return p.eval(`document.querySelector(` + jsString(sel) + `)
		.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true }))`)
}

// urlContains is EC.url_contains.
func (p *page) urlContains(s string, timeout time.Duration) error {
	return p.waitJS("URL containing "+s, `location.href.includes(`+jsString(s)+`)`, scaled(timeout))
}

// eval runs a script in the page.
func (p *page) eval(js string) error {
	_, err := chromedp.Run(p.ctx, chromedp.Evaluate[chromedp.Void](js))
	return err
}

// waitJS polls pred until it is true, for up to timeout; an evaluation
// failing while the page navigates counts as false.
func (p *page) waitJS(what, pred string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](pred))
		cancel()
		if err == nil && ok {
			return nil
		}
		if err != nil {
			last = err
		}
		if p.ctx.Err() != nil {
			return fmt.Errorf("waiting for %s: %w", what, p.ctx.Err())
		}
		if time.Now().After(deadline) {
			if last != nil {
				return fmt.Errorf("timed out after %v waiting for %s (last error: %v)", timeout, what, last)
			}
			return fmt.Errorf("timed out after %v waiting for %s", timeout, what)
		}
		select {
		case <-time.After(pollInterval):
		case <-p.ctx.Done():
		}
	}
}

func jsVisible(sel string) string {
	return `(() => {
		const el = document.querySelector(` + jsString(sel) + `);
		return !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility === "visible";
	})()`
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
