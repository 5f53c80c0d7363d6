from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dti.web.accounts.throttle import address_blocked, address_failed


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if address_blocked(request):
            return render(request, "accounts/locked.html", status=429)
        response = super().post(request, *args, **kwargs)
        if not request.user.is_authenticated:
            address_failed(request)
        return response
