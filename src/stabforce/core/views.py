from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from stabforce.core.models import Mission


@login_required
def home(request):
    missions = Mission.objects.visible_to(request.user)
    return render(request, "core/home.html", {"missions": missions})
