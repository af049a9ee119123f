// SPDX-License-Identifier: GPL-2.0
/*
 * lwIP's timers for Denali guests (LWIP_TIMERS_CUSTOM=1): nothing ticks
 * while nothing is due, so a VM whose stack has nothing to do makes no
 * exit at all.  lwIP's own timeouts.c runs every protocol's timer
 * cyclically (ARP and reassembly each second, DHCP twice a second...),
 * which is one wake-up per second, per VM, for ever.
 *
 * Roadmap:
 *   1. One-shot timeouts (sys_timeout, sys_untimeout), a list sorted by
 *      deadline on the VM clock, run by the tcpip thread
 *      (sys_check_timeouts, sys_timeouts_sleeptime).
 *   2. The protocols' timers, each armed only while it has work:
 *      - TCP every 250 ms while a connection is active or in TIME_WAIT,
 *        as upstream (tcp_timer_needed); TIME_WAIT is short (TCP_MSL in
 *        lwipopts.h), so closed connections stop the timer in seconds;
 *      - ARP each second only during the few seconds after the stack
 *        sent a request (pending entries are retried and expire then);
 *        the ageing of the table's entries is caught up at the next
 *        wake-up instead (as many ticks as seconds passed);
 *      - IP reassembly each second only while fragments may be pending
 *        (the reassembly age after the last fragment received);
 *      - DHCP's fine timer only while a DHCP exchange is in progress,
 *        its coarse timer once, at the lease's next event (renew,
 *        rebind, expiry), with the minutes in between caught up.
 *   All of them run in the tcpip thread under the core lock.
 */
#include <stdlib.h>

#include "lwip/opt.h"
#include "lwip/timeouts.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/etharp.h"
#include "lwip/ip4_frag.h"
#include "lwip/dhcp.h"
#include "lwip/prot/dhcp.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"

#include "port.h"

/* ---- 1. one-shot timeouts ------------------------------------------------ */

static struct sys_timeo *timeouts;

/* Is @a before @b on a clock that wraps after 49 days? */
static int before(u32_t a, u32_t b)
{
	return (s32_t)(a - b) < 0;
}

static void timeout_at(u32_t when, sys_timeout_handler handler, void *arg)
{
	struct sys_timeo *t = malloc(sizeof(*t)), **p;

	if (!t) {
		/* Out of memory: the timer is lost, as a frame would be. */
		ilwaco_lwip_oom("timeout");
		return;
	}
	t->time = when;
	t->h = handler;
	t->arg = arg;
	for (p = &timeouts; *p && !before(when, (*p)->time); p = &(*p)->next)
		;
	t->next = *p;
	*p = t;
}

void sys_timeout(u32_t msecs, sys_timeout_handler handler, void *arg)
{
	LWIP_ASSERT_CORE_LOCKED();
	timeout_at(sys_now() + msecs, handler, arg);
}

void sys_untimeout(sys_timeout_handler handler, void *arg)
{
	struct sys_timeo **p, *t;

	LWIP_ASSERT_CORE_LOCKED();
	for (p = &timeouts; *p; p = &(*p)->next) {
		if ((*p)->h == handler && (*p)->arg == arg) {
			t = *p;
			*p = t->next;
			free(t);
			return;
		}
	}
}

static void catch_up(void);

void sys_check_timeouts(void)
{
	struct sys_timeo *t;

	LWIP_ASSERT_CORE_LOCKED();
	catch_up();
	while ((t = timeouts) && !before(sys_now(), t->time)) {
		sys_timeout_handler h = t->h;
		void *arg = t->arg;

		timeouts = t->next;
		free(t);
		h(arg);
	}
}

u32_t sys_timeouts_sleeptime(void)
{
	u32_t now = sys_now();

	LWIP_ASSERT_CORE_LOCKED();
	if (!timeouts)
		return SYS_TIMEOUTS_SLEEPTIME_INFINITE;
	return before(now, timeouts->time) ? timeouts->time - now : 0;
}

void sys_timeouts_init(void)
{
}

void sys_restart_timeouts(void)
{
}

/*
 * A timer armed from outside the tcpip thread (the NIC thread, a socket
 * call) is on the list, but the tcpip thread may be asleep with a
 * longer timeout taken before: wake it so that it looks again.
 */
static struct tcpip_callback_msg *wake_msg;
static int wake_posted;

static void woken(void *arg)
{
	(void)arg;
	wake_posted = 0;	/* the thread is awake and will look again */
}

static void armed(void)
{
	if (!wake_msg)
		wake_msg = tcpip_callbackmsg_new(woken, NULL);
	if (wake_msg && !wake_posted &&
	    tcpip_callbackmsg_trycallback(wake_msg) == ERR_OK)
		wake_posted = 1;
}

/* ---- 2. the protocols' timers -------------------------------------------- */

/* TCP: every TCP_TMR_INTERVAL while tcp_tmr() has connections to serve. */
static int tcp_timer_on;

static int tcp_busy(void)
{
	return tcp_active_pcbs || tcp_tw_pcbs;
}

static void tcp_timer(void *arg)
{
	(void)arg;
	tcp_tmr();
	if (tcp_busy())
		sys_timeout(TCP_TMR_INTERVAL, tcp_timer, NULL);
	else
		tcp_timer_on = 0;
}

void tcp_timer_needed(void)
{
	if (!tcp_timer_on && tcp_busy()) {
		tcp_timer_on = 1;
		sys_timeout(TCP_TMR_INTERVAL, tcp_timer, NULL);
		armed();
	}
}

/*
 * ARP.  etharp_tmr() ages every entry by a second: entries in use are
 * refreshed or dropped after ARP_MAXAGE ticks, pending ones re-requested
 * each tick and dropped after a few.  Only pending entries need the
 * ticks on time; ageing is caught up at the next wake-up.
 */
#define ARP_PENDING_MS	6000	/* lwIP drops a pending entry after 5 ticks */
static int arp_timer_on;
static u32_t arp_ticked, arp_last_request;

static void arp_catch_up(void)
{
	u32_t n = (sys_now() - arp_ticked) / ARP_TMR_INTERVAL, i;

	arp_ticked += n * ARP_TMR_INTERVAL;
	if (n > ARP_MAXAGE + 1)
		n = ARP_MAXAGE + 1;	/* by then every entry is gone */
	for (i = 0; i < n; i++)
		etharp_tmr();
}

static void arp_timer(void *arg)
{
	(void)arg;
	arp_catch_up();
	if (sys_now() - arp_last_request < ARP_PENDING_MS)
		sys_timeout(ARP_TMR_INTERVAL, arp_timer, NULL);
	else
		arp_timer_on = 0;
}

void ilwaco_timers_arp_request(void)
{
	arp_last_request = sys_now();
	if (!arp_timer_on) {
		arp_timer_on = 1;
		sys_timeout(ARP_TMR_INTERVAL, arp_timer, NULL);
		armed();
	}
}

/* IP reassembly: ip_reass_tmr() each second while datagrams may be partial. */
#define REASS_MS	((IP_REASS_MAXAGE + 1) * IP_TMR_INTERVAL)
static int reass_timer_on;
static u32_t reass_last_fragment;

static void reass_timer(void *arg)
{
	(void)arg;
	ip_reass_tmr();
	if (sys_now() - reass_last_fragment < REASS_MS)
		sys_timeout(IP_TMR_INTERVAL, reass_timer, NULL);
	else
		reass_timer_on = 0;
}

void ilwaco_timers_fragment(void)
{
	reass_last_fragment = sys_now();
	if (!reass_timer_on) {
		reass_timer_on = 1;
		sys_timeout(IP_TMR_INTERVAL, reass_timer, NULL);
		armed();
	}
}

/*
 * DHCP.  The fine timer retries requests while an exchange is under
 * way; the coarse one counts the lease's minutes, and acts only when a
 * count reaches its event, so it is armed for that minute and the
 * minutes before it are counted then.
 */
static int dhcp_fine_on, dhcp_coarse_on;
static u32_t dhcp_coarse_minutes;

static void dhcp_update(void);

static void dhcp_fine(void *arg)
{
	(void)arg;
	dhcp_fine_on = 0;
	dhcp_fine_tmr();
	dhcp_update();
}

static void dhcp_coarse(void *arg)
{
	u32_t i;

	(void)arg;
	dhcp_coarse_on = 0;
	for (i = 0; i < dhcp_coarse_minutes; i++)
		dhcp_coarse_tmr();
	dhcp_update();
}

/* The minutes until @d's next lease event, 0 for none. */
static u32_t lease_event(const struct dhcp *d)
{
	u32_t next = 0;

	if (d->t0_timeout && d->t0_timeout > d->lease_used)
		next = d->t0_timeout - d->lease_used;
	if (d->t2_rebind_time && (!next || d->t2_rebind_time < next))
		next = d->t2_rebind_time;
	if (d->t1_renew_time && (!next || d->t1_renew_time < next))
		next = d->t1_renew_time;
	return next;
}

static void dhcp_update(void)
{
	struct netif *netif;
	u32_t next = 0;
	int busy = 0;

	NETIF_FOREACH(netif) {
		struct dhcp *d = netif_dhcp_data(netif);
		u32_t n;

		if (!d || d->state == DHCP_STATE_OFF)
			continue;
		if (d->state != DHCP_STATE_BOUND)
			busy = 1;
		n = lease_event(d);
		if (n && (!next || n < next))
			next = n;
	}
	if (busy && !dhcp_fine_on) {
		dhcp_fine_on = 1;
		sys_timeout(DHCP_FINE_TIMER_MSECS, dhcp_fine, NULL);
	}
	if (dhcp_coarse_on)
		sys_untimeout(dhcp_coarse, NULL);
	dhcp_coarse_on = 0;
	if (next) {
		dhcp_coarse_on = 1;
		dhcp_coarse_minutes = next;
		sys_timeout(next * DHCP_COARSE_TIMER_MSECS, dhcp_coarse, NULL);
	}
}

void ilwaco_timers_dhcp(void)
{
	dhcp_update();
	armed();
}

/* At every wake-up of the stack: what was left to be caught up. */
static void catch_up(void)
{
	arp_catch_up();
}

void ilwaco_timers_wakeup(void)
{
	catch_up();
}

void ilwaco_timers_init(void)
{
	arp_ticked = sys_now();
}
